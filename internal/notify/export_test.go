package notify

// InterruptAfter makes f's runs call fn after each batch is written and
// its cursor saved; an error stops the run there (an interruption).
func InterruptAfter(f *Fanouts, fn func() error) { f.afterBatch = fn }
