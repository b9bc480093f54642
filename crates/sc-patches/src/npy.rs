//! NumPy `.npy` arrays and SciPy `.npz` sparse matrices.
//!
//! A 2-D C-order array `(rows, cols)` has the bytes of a column-major faer
//! matrix `cols × rows`: signals-as-columns for `X (n_samples, n_features)`,
//! atoms-as-columns for scikit-learn's `components_ (n_atoms, n_features)`.
//! So arrays are read and written here as plain buffers, never transposed.

use std::io::Write;
use std::path::Path;

use crate::atomic::write_all_atomic;
use crate::error::{Result, format_err, io_err};

/// A 2-D array in C order: `data[r * cols + c]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Array2<T> {
    /// Number of rows (`shape[0]`).
    pub rows: usize,
    /// Number of columns (`shape[1]`).
    pub cols: usize,
    /// The values, row after row.
    pub data: Vec<T>,
}

/// A 2-D floating-point array of either precision, as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyArray2 {
    /// `float32` data.
    F32(Array2<f32>),
    /// `float64` data.
    F64(Array2<f64>),
}

impl AnyArray2 {
    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        match self {
            AnyArray2::F32(a) => (a.rows, a.cols),
            AnyArray2::F64(a) => (a.rows, a.cols),
        }
    }
    /// NumPy's name of the element type.
    pub fn dtype(&self) -> &'static str {
        match self {
            AnyArray2::F32(_) => "float32",
            AnyArray2::F64(_) => "float64",
        }
    }
    /// The array converted to `f64`.
    pub fn to_f64(&self) -> Array2<f64> {
        match self {
            AnyArray2::F32(a) => Array2 { rows: a.rows, cols: a.cols, data: a.data.iter().map(|&v| v as f64).collect() },
            AnyArray2::F64(a) => a.clone(),
        }
    }
}

/// Reads a 2-D `float32` or `float64` array (either byte order; Fortran
/// order is converted to C order).
pub fn read_npy(path: &Path) -> Result<AnyArray2> {
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    read_npy_bytes(&bytes, path)
}

/// Reads a 2-D float array from the bytes of a `.npy` file; `path` names
/// the source in errors.
pub fn read_npy_bytes(bytes: &[u8], path: &Path) -> Result<AnyArray2> {
    read_npy_channels(bytes, path, false).map(|(a, _)| a)
}

/// Reads a 2-D float array, or with `channels` also a C-order 3-D one of
/// shape `(h, w, 3)` (an RGB image, channels last), returned as the 2-D
/// `(h, 3w)` array of the same bytes with its number of channels.
pub fn read_npy_channels(bytes: &[u8], path: &Path, channels: bool) -> Result<(AnyArray2, usize)> {
    check_header_length(bytes, path)?;
    let npy = npyz::NpyFile::new(bytes).map_err(|e| format_err(path, format!("not a valid .npy file ({e})")))?;
    let shape = npy.shape().to_vec();
    let (rows, cols, ch) = match shape[..] {
        [r, c] => (r as usize, c as usize, 1),
        [r, c, 3] if channels && npy.order() == npyz::Order::C => {
            let cols = (c as usize).checked_mul(3).ok_or_else(|| format_err(path, "shape overflows"))?;
            (r as usize, cols, 3)
        }
        _ if channels => {
            return Err(format_err(path, format!("expected a 2-D array or a C-order (h, w, 3) image, found shape {shape:?}")));
        }
        _ => return Err(format_err(path, format!("expected a 2-D array, found {} dimension(s) {:?}", shape.len(), shape))),
    };
    let dtype = match npy.dtype() {
        npyz::DType::Plain(ts) => ts.to_string(),
        other => return Err(format_err(path, format!("unsupported dtype {other:?}"))),
    };
    let item = match &dtype[1..] {
        "f4" => 4,
        "f8" => 8,
        "O" => return Err(format_err(path, "an object (pickled) array is never read; save a float64 array instead")),
        other => {
            return Err(format_err(
                path,
                format!("expected float32 or float64 data, found dtype '{other}'; save it with np.save(path, X.astype(np.float64))"),
            ));
        }
    };
    // Bound the size by the file before anything is allocated.
    let n = rows.checked_mul(cols).filter(|n| n.checked_mul(item).is_some_and(|b| b <= bytes.len()));
    let Some(n) = n else {
        return Err(format_err(path, format!("truncated: shape {rows}×{cols} needs more data than the file holds")));
    };
    let fortran = npy.order() == npyz::Order::Fortran;
    let truncated = |e: std::io::Error| format_err(path, format!("truncated or unreadable data ({e})"));
    let out = if item == 4 {
        let v = npy.into_vec::<f32>().map_err(truncated)?;
        AnyArray2::F32(Array2 { rows, cols, data: to_c_order(v, rows, cols, fortran) })
    } else {
        let v = npy.into_vec::<f64>().map_err(truncated)?;
        AnyArray2::F64(Array2 { rows, cols, data: to_c_order(v, rows, cols, fortran) })
    };
    debug_assert_eq!(
        match &out {
            AnyArray2::F32(a) => a.data.len(),
            AnyArray2::F64(a) => a.data.len(),
        },
        n
    );
    Ok((out, ch))
}

/// Refuses a header that announces more bytes than the file holds: the
/// reader would allocate that length before reading it (a 160-byte file
/// asking for 660 MB was found by fuzzing). Versions 1.0 (a 16-bit length)
/// and 2.0/3.0 (32-bit); anything else is left to the reader to refuse.
fn check_header_length(bytes: &[u8], path: &Path) -> Result<()> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Ok(());
    }
    let (length, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12),
        2 | 3 => return Err(format_err(path, "truncated: the header is cut short")),
        _ => return Ok(()),
    };
    if start + length > bytes.len() {
        return Err(format_err(path, format!("truncated: the header announces {length} bytes, the file holds {}", bytes.len() - start)));
    }
    // NumPy's own limit (`np.load`'s max_header_size), and its shape: one
    // dict, brackets nested a few deep (its parser backtracks without end
    // on deep nesting: a 118-byte header of braces hung it, found by fuzzing).
    if length > MAX_HEADER {
        return Err(format_err(path, format!("a header of {length} bytes, over NumPy's limit of {MAX_HEADER}")));
    }
    let (mut depth, mut deepest, mut dicts) = (0usize, 0usize, 0usize);
    for &b in &bytes[start..start + length] {
        match b {
            b'{' | b'[' | b'(' => {
                dicts += usize::from(b == b'{');
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if dicts != 1 || deepest > MAX_NESTING {
        return Err(format_err(path, "not a NumPy header (one dict of 'descr', 'fortran_order' and 'shape')"));
    }
    Ok(())
}

/// The longest header read (NumPy's `max_header_size` default).
const MAX_HEADER: usize = 10_000;
/// Brackets nested deeper than this are no NumPy header of a 2-D array.
const MAX_NESTING: usize = 4;

fn to_c_order<T: Copy>(v: Vec<T>, rows: usize, cols: usize, fortran: bool) -> Vec<T> {
    if !fortran || rows <= 1 || cols <= 1 {
        return v;
    }
    let mut out = Vec::with_capacity(v.len());
    for r in 0..rows {
        for c in 0..cols {
            out.push(v[c * rows + r]);
        }
    }
    out
}

/// A scalar type that `.npy` files can hold.
pub trait NpyElement: Copy {
    /// NumPy's type string (`"<f8"` …).
    const DESCR: &'static str;
    /// Appends the little-endian bytes of `self`.
    fn put(self, out: &mut Vec<u8>);
}

macro_rules! npy_element {
    ($t:ty, $d:literal) => {
        impl NpyElement for $t {
            const DESCR: &'static str = $d;
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
    };
}
npy_element!(f32, "<f4");
npy_element!(f64, "<f8");
npy_element!(i32, "<i4");
npy_element!(i64, "<i8");

/// The bytes of a C-order `.npy` file (format 1.0) of the given shape.
pub fn npy_bytes<T: NpyElement>(shape: &[usize], data: &[T]) -> Vec<u8> {
    assert_eq!(shape.iter().product::<usize>(), data.len(), "shape and data length disagree");
    npy_bytes_raw(T::DESCR, shape, std::mem::size_of_val(data), |out| {
        for &v in data {
            v.put(out);
        }
    })
}

fn npy_bytes_raw(descr: &str, shape: &[usize], n_bytes: usize, put: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let shape_txt = match shape.len() {
        0 => "()".to_string(),
        1 => format!("({},)", shape[0]),
        _ => format!("({})", shape.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_txt}, }}");
    // Magic (6) + version (2) + length (2) + header + '\n', padded to 64.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + n_bytes);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    put(&mut out);
    out
}

/// Writes a 2-D C-order array `(rows, cols)` atomically.
pub fn write_npy<T: NpyElement>(path: &Path, rows: usize, cols: usize, data: &[T]) -> Result<()> {
    let bytes = encode_npy(path, rows, cols, data)?;
    write_all_atomic(&[(path, &bytes)])
}

/// The bytes [`write_npy`] writes, for a caller that writes several files
/// at once ([`crate::write_all_atomic`]); `path` only names the file in errors.
pub fn encode_npy<T: NpyElement>(path: &Path, rows: usize, cols: usize, data: &[T]) -> Result<Vec<u8>> {
    if rows.checked_mul(cols) != Some(data.len()) {
        return Err(format_err(path, format!("shape {rows}×{cols} does not match {} values", data.len())));
    }
    Ok(npy_bytes(&[rows, cols], data))
}

/// Writes a SciPy CSR matrix of shape `(n_rows, n_cols)` as `.npz`, the
/// layout `scipy.sparse.save_npz` uses (members `data`, `indices`, `indptr`,
/// `format`, `shape`), uncompressed, atomically.
pub fn write_csr_npz<T: NpyElement>(
    path: &Path,
    n_rows: usize,
    n_cols: usize,
    indptr: &[usize],
    indices: &[u32],
    data: &[T],
) -> Result<()> {
    let bytes = encode_csr_npz(path, n_rows, n_cols, indptr, indices, data)?;
    write_all_atomic(&[(path, &bytes)])
}

/// The bytes [`write_csr_npz`] writes; `path` only names the file in errors.
pub fn encode_csr_npz<T: NpyElement>(
    path: &Path,
    n_rows: usize,
    n_cols: usize,
    indptr: &[usize],
    indices: &[u32],
    data: &[T],
) -> Result<Vec<u8>> {
    if indptr.len() != n_rows + 1 || indices.len() != data.len() || indptr.last() != Some(&data.len()) {
        return Err(format_err(path, "inconsistent CSR parts"));
    }
    let wide = data.len() > i32::MAX as usize || n_cols > i32::MAX as usize;
    let members: Vec<(&str, Vec<u8>)> = vec![
        (
            "indices.npy",
            if wide {
                npy_bytes(&[indices.len()], &indices.iter().map(|&i| i as i64).collect::<Vec<_>>())
            } else {
                npy_bytes(&[indices.len()], &indices.iter().map(|&i| i as i32).collect::<Vec<_>>())
            },
        ),
        (
            "indptr.npy",
            if wide {
                npy_bytes(&[indptr.len()], &indptr.iter().map(|&i| i as i64).collect::<Vec<_>>())
            } else {
                npy_bytes(&[indptr.len()], &indptr.iter().map(|&i| i as i32).collect::<Vec<_>>())
            },
        ),
        ("format.npy", npy_bytes_raw("|S3", &[], 3, |out| out.extend_from_slice(b"csr"))),
        ("shape.npy", npy_bytes(&[2], &[n_rows as i64, n_cols as i64])),
        ("data.npy", npy_bytes(&[data.len()], data)),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(members.iter().map(|m| m.1.len()).sum::<usize>() > u32::MAX as usize / 2);
    let zip_err = |e: zip::result::ZipError| format_err(path, format!("could not build the archive ({e})"));
    for (name, bytes) in &members {
        zip.start_file(*name, opts).map_err(zip_err)?;
        zip.write_all(bytes).map_err(|e| io_err(path, e))?;
    }
    Ok(zip.finish().map_err(zip_err)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_both_precisions() {
        let p = Path::new("mem.npy");
        let a: Vec<f64> = (0..6).map(|i| i as f64 * 0.5 - 1.0).collect();
        let back = read_npy_bytes(&npy_bytes(&[2, 3], &a), p).unwrap();
        assert_eq!(back, AnyArray2::F64(Array2 { rows: 2, cols: 3, data: a }));
        let b: Vec<f32> = vec![1.5, -2.0];
        let back = read_npy_bytes(&npy_bytes(&[1, 2], &b), p).unwrap();
        assert_eq!(back, AnyArray2::F32(Array2 { rows: 1, cols: 2, data: b }));
        // The header is padded to a multiple of 64 bytes.
        assert_eq!((npy_bytes(&[2, 3], &[0.0f64; 6]).len() - 48) % 64, 0);
    }

    #[test]
    fn rejects_bad_files() {
        let p = Path::new("x.npy");
        let full = npy_bytes(&[4, 4], &[1.0f64; 16]);
        let err = read_npy_bytes(&full[..full.len() - 8], p).unwrap_err().to_string();
        assert!(err.contains("truncated"), "{err}");
        let err = read_npy_bytes(&npy_bytes(&[4], &[1.0f64; 4]), p).unwrap_err().to_string();
        assert!(err.contains("2-D"), "{err}");
        let err = read_npy_bytes(&npy_bytes(&[2, 2], &[1i32; 4]), p).unwrap_err().to_string();
        assert!(err.contains("float32 or float64"), "{err}");
        assert!(read_npy_bytes(b"not numpy at all", p).is_err());
        assert!(read_npy_bytes(b"", p).is_err());
    }

    /// Found by fuzzing: a version-3 header announcing 660 MB in a file of
    /// 160 bytes made the reader allocate that much.
    #[test]
    fn a_header_longer_than_the_file_is_refused_before_allocating() {
        let crash: &[u8] = &[
            147, 78, 85, 77, 80, 89, 3, 0, 58, 0, 123, 39, 100, 101, 115, 99, 114, 39, 58, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 101, 44, 32, 39, 115, 104, 97, 112, 101, 217, 197, 223, 215, 202, 211, 214, 211, 32,
            125, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32,
            32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32,
            32, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 240, 63, 0, 0, 32, 0, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 8, 64, 0, 0, 0, 0, 0, 0,
            16, 64,
        ];
        let err = read_npy_bytes(crash, Path::new("crash.npy")).unwrap_err().to_string();
        assert!(err.contains("header announces"), "{err}");
        let mut v1 = npy_bytes(&[2, 2], &[1.0f64, 2.0, 3.0, 4.0]);
        v1[8] = 0xff;
        v1[9] = 0xff;
        assert!(read_npy_bytes(&v1, Path::new("v1.npy")).unwrap_err().to_string().contains("header announces"));
    }

    /// Found by fuzzing: a header of nested braces hung the header parser.
    #[test]
    fn a_deeply_nested_header_is_refused_without_parsing() {
        let mut bytes = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
        bytes.extend(std::iter::repeat_n(b'{', 13));
        bytes.extend(b"'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }");
        bytes.resize(10 + 0x76, b' ');
        bytes.extend(1.0f64.to_le_bytes());
        let err = read_npy_bytes(&bytes, Path::new("hang.npy")).unwrap_err().to_string();
        assert!(err.contains("not a NumPy header"), "{err}");
    }
}
