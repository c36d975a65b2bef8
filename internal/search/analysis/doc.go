// Package analysis and its sub-packages are a copy of the text analysis of
// bleve v2.6.3 (github.com/blevesearch/bleve/v2/analysis, Apache License
// 2.0, Copyright (c) Couchbase, Inc.; the headers of the copied files say
// so): the Unicode word tokenizer, the token filters and the language
// filters that internal/search's analysers are built from, with bleve's
// registry left out. bleve's own packages register themselves in init,
// which links the registry and through it bleve's whole query engine into
// every binary that analyses text.
//
// The files are bleve's, unchanged but for the import paths and the
// removal of the registry's constructors and init functions, so that an
// update can be diffed against bleve. internal/search's
// TestAnalyzersMatchBleve checks that the analysers give bleve's token
// streams exactly: the stored index depends on it.
package analysis
