package tabledef

// UploadCorsHeaders are the request headers a browser sends with a
// presigned attachment PUT (the ones blob.Uploads.PresignPut signs), and
// all the uploads bucket's CORS rule allows, in the cloud (infra/stack) and
// locally (localcloud). Downloads are navigations and need no CORS.
var UploadCorsHeaders = []string{"content-type", "content-length", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"}
