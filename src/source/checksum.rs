//! BLAKE3 checksums of migration files, insensitive to how Git checked them out.

/// Returns the text as migrator sees it: without a UTF-8 byte order mark and
/// with CRLF line ends turned into LF, so a Windows checkout reads the same
/// as a Unix one.
pub fn normalize(bytes: &[u8]) -> Vec<u8> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(cr) = memchr_crlf(rest) {
        out.extend_from_slice(&rest[..cr]);
        out.push(b'\n');
        rest = &rest[cr + 2..];
    }
    out.extend_from_slice(rest);
    out
}

fn memchr_crlf(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|w| w == b"\r\n")
}

/// The BLAKE3 checksum of already normalized bytes, as 64 lowercase hex digits.
pub fn of_normalized(normalized: &[u8]) -> String {
    blake3::hash(normalized).to_hex().to_string()
}

/// The checksum DESIGN section 3 defines: BLAKE3 of the normalized bytes.
pub fn of_file_bytes(bytes: &[u8]) -> String {
    of_normalized(&normalize(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_cases() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"", b""),
            (b"select 1;\n", b"select 1;\n"),
            (b"\xEF\xBB\xBFselect 1;\r\n", b"select 1;\n"),
            (b"a\r\nb\r\n", b"a\nb\n"),
            (b"a\rb\n", b"a\rb\n"),
            (b"a\r\r\nb", b"a\r\nb"),
            (b"x\xEF\xBB\xBF", b"x\xEF\xBB\xBF"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize(input), *expected, "input {:?}", input);
        }
    }

    #[test]
    fn bom_and_crlf_copies_share_a_checksum_and_one_byte_does_not() {
        let unix = of_file_bytes(b"create table t (id int);\n");
        assert_eq!(
            unix,
            of_file_bytes(b"\xEF\xBB\xBFcreate table t (id int);\r\n")
        );
        assert_ne!(unix, of_file_bytes(b"create table t (id int );\n"));
        assert_eq!(unix.len(), 64);
    }
}
