// Copyright 2013 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package korean is the decoding half of golang.org/x/text/encoding/korean
// (third_party/xtextdecode/README.md): the same decoders and decoding
// tables, without the encoders and their tables, which a program linking
// x/text's package keeps whenever it names one of its encodings.
package korean

import "golang.org/x/text/transform"

// EUCKR decodes EUC-KR to UTF-8.
func EUCKR() transform.Transformer { return eucKRDecoder{} }
