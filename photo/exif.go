package photo

import "encoding/binary"

// exifOrientation returns the orientation tag (1 to 8) of a JPEG's EXIF
// segment, or 1 when it has none or it cannot be read. It reads only what
// it needs: the segments before the image data, the APP1 "Exif" one, its
// TIFF header and the entries of its first directory, every offset checked
// against the segment's end.
func exifOrientation(jpegData []byte) int {
	d := jpegData
	if len(d) < 2 || d[0] != 0xFF || d[1] != 0xD8 {
		return 1
	}
	d = d[2:]
	for len(d) >= 4 {
		if d[0] != 0xFF {
			return 1
		}
		marker := d[1]
		if marker == 0xFF { // fill byte
			d = d[1:]
			continue
		}
		if marker == 0xD9 || marker == 0xDA { // end of image, start of scan
			return 1
		}
		n := int(binary.BigEndian.Uint16(d[2:4])) // includes its own two bytes
		if n < 2 || len(d) < 2+n {
			return 1
		}
		seg := d[4 : 2+n]
		if marker == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			if o := tiffOrientation(seg[6:]); o != 0 {
				return o
			}
		}
		d = d[2+n:]
	}
	return 1
}

// tiffOrientation returns the orientation tag of the first directory of a
// TIFF structure (EXIF's), or 0.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var order binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		order = binary.LittleEndian
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return 0
	}
	ifd := int64(order.Uint32(t[4:8]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 0
	}
	count := int64(order.Uint16(t[ifd:]))
	for i := range count {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(t)) {
			return 0
		}
		const orientationTag, typeShort = 0x0112, 3
		if order.Uint16(t[e:]) != orientationTag {
			continue
		}
		if order.Uint16(t[e+2:]) != typeShort || order.Uint32(t[e+4:]) != 1 {
			return 0
		}
		if o := int(order.Uint16(t[e+8:])); o >= 1 && o <= 8 {
			return o
		}
		return 0
	}
	return 0
}
