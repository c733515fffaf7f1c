package review

import (
	"bytes"
	"encoding/base64"
	"image/jpeg"
	"strings"

	"github.com/jszg/applicant-accounts/shared/api"
)

const (
	// MaxPhotoBytes: the photo must be smaller than 190 KB.
	MaxPhotoBytes = 190 * 1024
	// maxPixels keeps a small file that declares a huge image from taking the memory of a
	// full decode.
	maxPixels = 40_000_000
)

// decodePhoto reads the base64 photo (a data: URL prefix is allowed) and proves it is a JPEG
// by decoding it whole: names and magic bytes are not enough.
func decodePhoto(raw string) ([]byte, error) {
	s := strings.TrimSpace(raw)
	for _, prefix := range []string{"data:image/jpeg;base64,", "data:image/jpg;base64,"} {
		s = strings.TrimPrefix(s, prefix)
	}
	if s == "" {
		return nil, api.InvalidField("photo", "请上传照片（JPG格式，小于190KB）")
	}
	if base64.StdEncoding.DecodedLen(len(s)) > MaxPhotoBytes+3 {
		return nil, photoTooLarge()
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return nil, api.InvalidField("photo", "照片应为base64编码的JPG文件")
		}
	}
	if len(b) >= MaxPhotoBytes {
		return nil, photoTooLarge()
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, notJPEG()
	}
	if cfg.Width*cfg.Height > maxPixels {
		return nil, api.InvalidField("photo", "照片尺寸过大，请缩小后重新上传")
	}
	if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
		return nil, notJPEG()
	}
	return b, nil
}

func photoTooLarge() error {
	return api.InvalidField("photo", "照片须小于190KB（194,560字节），请压缩后重新上传")
}

func notJPEG() error {
	return api.InvalidField("photo", "照片须为JPG格式，且文件完整可打开")
}
