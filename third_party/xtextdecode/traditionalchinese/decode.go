// Copyright 2013 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package traditionalchinese is the decoding half of golang.org/x/text/encoding/traditionalchinese
// (third_party/xtextdecode/README.md): the same decoders and decoding
// tables, without the encoders and their tables, which a program linking
// x/text's package keeps whenever it names one of its encodings.
package traditionalchinese

import "golang.org/x/text/transform"

// Big5 decodes Big5 (Code Page 950) to UTF-8.
func Big5() transform.Transformer { return big5Decoder{} }
