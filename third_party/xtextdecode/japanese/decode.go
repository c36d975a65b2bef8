// Copyright 2013 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package japanese is the decoding half of golang.org/x/text/encoding/japanese
// (third_party/xtextdecode/README.md): the same decoders and decoding
// tables, without the encoders and their tables, which a program linking
// x/text's package keeps whenever it names one of its encodings.
package japanese

import "golang.org/x/text/transform"

// EUCJP decodes EUC-JP to UTF-8.
func EUCJP() transform.Transformer { return eucJPDecoder{} }

// ISO2022JP decodes ISO-2022-JP (RFC 2237, as x/text accepts it) to UTF-8.
func ISO2022JP() transform.Transformer { return iso2022JPNewDecoder() }

// ShiftJIS decodes Shift JIS to UTF-8.
func ShiftJIS() transform.Transformer { return shiftJISDecoder{} }
