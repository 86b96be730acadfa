package main

import (
	"flag"
	"fmt"
	"time"

	"kefu/attach"
	"kefu/server"
	"kefu/transport"
)

// uploadFlags are the attachments' limits (server_uploads.go,
// docs/reliability.md).
type uploadFlags struct {
	maxMiB int
	types  string
	cfg    server.UploadsConfig
}

// maxUploadMiB caps -upload-max: an upload is read whole into memory
// before it is stored (transport/body_limits.go).
const maxUploadMiB = 100

func addUploadFlags(fs *flag.FlagSet) *uploadFlags {
	f := &uploadFlags{}
	fs.IntVar(&f.maxMiB, "upload-max", attach.DefaultMaxBytes>>20, fmt.Sprintf("largest file a customer or agent may upload, in MiB, 1 to %d (over: 413 too_large)", maxUploadMiB))
	fs.StringVar(&f.types, "upload-types", attach.DefaultTypes.String(), "media types an upload may have, sniffed from its bytes, comma-separated (else: 415 bad_type); HTML and SVG are never accepted")
	fs.DurationVar(&f.cfg.Timeout, "upload-timeout", transport.DefaultUploadTimeout, "time to receive an upload's body once its headers are in (over: 408, connection closed)")
	fs.DurationVar(&f.cfg.UnsentTTL, "upload-unsent-ttl", server.DefaultUnsentTTL, "an upload no message has shown this long after it was made is deleted; 0: never")
	return f
}

// apply checks the values and puts them in cfg.
func (f *uploadFlags) apply(cfg *server.Config) error {
	if f.maxMiB < 1 || f.maxMiB > maxUploadMiB {
		return fmt.Errorf("-upload-max: must be 1 to %d (MiB)", maxUploadMiB)
	}
	types, err := attach.ParseTypes(f.types)
	if err != nil {
		return fmt.Errorf("-upload-types: %w", err)
	}
	if f.cfg.Timeout < time.Second {
		return fmt.Errorf("-upload-timeout: must be at least 1s")
	}
	if f.cfg.UnsentTTL < 0 {
		return fmt.Errorf("-upload-unsent-ttl: must be 0 (never) or more")
	}
	u := f.cfg
	u.MaxBytes, u.Types = int64(f.maxMiB)<<20, types
	if u.UnsentTTL == 0 {
		u.UnsentTTL = -1 // the config's "never"
	}
	cfg.Uploads = u
	return nil
}
