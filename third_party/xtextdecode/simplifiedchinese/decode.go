// Copyright 2013 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package simplifiedchinese is the decoding half of golang.org/x/text/encoding/simplifiedchinese
// (third_party/xtextdecode/README.md): the same decoders and decoding
// tables, without the encoders and their tables, which a program linking
// x/text's package keeps whenever it names one of its encodings.
package simplifiedchinese

import "golang.org/x/text/transform"

// GBK decodes GBK (Code Page 936) to UTF-8.
func GBK() transform.Transformer { return gbkDecoder{gb18030: false} }

// GB18030 decodes GB18030 to UTF-8.
func GB18030() transform.Transformer { return gbkDecoder{gb18030: true} }

// HZGB2312 decodes HZ-GB2312 to UTF-8.
func HZGB2312() transform.Transformer { return hzGB2312NewDecoder() }
