//! Dense codes handed to NumPy without a copy, in memory that is reused.
//!
//! A dense output is large (the camera workload's is 522 MB of float64), and
//! most of its cost is not the writing but the kernel's: fresh pages are
//! faulted in and zeroed one by one, and on a virtual machine the host may
//! have to back them first. Measured here, that took 0.1–0.9 s for 522 MB,
//! more than the coding itself. So the memory of an output outlives the
//! array: when NumPy frees it, the buffer becomes the [spare](SPARE), and
//! the next dense output that fits reuses it, rewriting every entry (zeros
//! and codes) in parallel. Only the most recent buffer is kept, and none
//! larger than [`SPARE_LIMIT`]: the cost is at most that much memory held
//! after the last output is freed. A first output, or one larger than the
//! spare, takes a zeroed allocation, which the kernel fills lazily; only
//! its non-zeros are written.

use std::sync::Mutex;

use numpy::ndarray::ArrayView2;
use numpy::{Element, PyArray2};
use pyo3::prelude::*;
use sparsecode::linalg::Real;

/// The largest buffer kept for reuse (bytes).
pub const SPARE_LIMIT: usize = 1 << 30;

/// A buffer of either precision.
pub enum Buffer {
    /// float32 values.
    F32(Vec<f32>),
    /// float64 values.
    F64(Vec<f64>),
}

impl Buffer {
    fn bytes(&self) -> usize {
        match self {
            Buffer::F32(v) => v.capacity() * 4,
            Buffer::F64(v) => v.capacity() * 8,
        }
    }
}

/// The memory of the last dense output NumPy freed, if any.
static SPARE: Mutex<Option<Buffer>> = Mutex::new(None);

/// The two precisions' ways in and out of a [`Buffer`].
pub trait DenseElement: Real + Element {
    /// `Vec<Self>` as a [`Buffer`].
    fn wrap(v: Vec<Self>) -> Buffer;
    /// The buffer's values, if it holds this precision.
    fn unwrap(b: &Buffer) -> Option<&[Self]>;
    /// Takes the spare if it holds this precision and `len` values fit.
    fn take_spare(len: usize) -> Option<Vec<Self>>;
}

macro_rules! dense_element {
    ($t:ty, $variant:ident) => {
        impl DenseElement for $t {
            fn wrap(v: Vec<Self>) -> Buffer {
                Buffer::$variant(v)
            }
            fn unwrap(b: &Buffer) -> Option<&[Self]> {
                match b {
                    Buffer::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn take_spare(len: usize) -> Option<Vec<Self>> {
                let mut spare = SPARE.lock().unwrap_or_else(|e| e.into_inner());
                match spare.take() {
                    Some(Buffer::$variant(mut v)) if v.capacity() >= len => {
                        v.resize(len, 0.0);
                        Some(v)
                    }
                    other => {
                        *spare = other;
                        None
                    }
                }
            }
        }
    };
}
dense_element!(f32, F32);
dense_element!(f64, F64);

/// The owner of a dense output's memory: the NumPy array's base object.
/// Dropped when NumPy frees the array; its buffer then becomes the spare.
#[pyclass(frozen)]
pub struct DenseMemory(Option<Buffer>);

impl Drop for DenseMemory {
    fn drop(&mut self) {
        if let Some(b) = self.0.take().filter(|b| b.bytes() <= SPARE_LIMIT) {
            *SPARE.lock().unwrap_or_else(|e| e.into_inner()) = Some(b);
        }
    }
}

/// A dense `(n_samples, n_atoms)` C-order array (the bytes of a
/// column-major `n_atoms × n_samples` matrix) written by `fill`, with the
/// GIL released, into the spare buffer if it fits. `fill(out, zeroed)`
/// writes every entry of `out`, or only the non-zeros when `zeroed` says
/// it holds zeros.
pub fn dense_array<T: DenseElement, E: std::fmt::Display + Send>(
    py: Python<'_>,
    n: usize,
    k: usize,
    fill: impl FnOnce(&mut [T], bool) -> Result<(), E> + Send,
) -> PyResult<Py<PyAny>> {
    sparsecode::linalg::memory::request::<T>(&[&[n, k]], || {
        format!("the dense codes ({n} samples × {k} atoms; output=\"csr\" keeps only the non-zeros)")
    })
    .map_err(|e| pyo3::exceptions::PyMemoryError::new_err(e.to_string()))?;
    let len = n * k;
    let buf = crate::args::detach(py, || -> Result<Vec<T>, E> {
        Ok(match T::take_spare(len) {
            Some(mut v) => {
                fill(&mut v, false)?;
                v
            }
            None => {
                let mut v = vec![T::ZERO; len];
                fill(&mut v, true)?;
                v
            }
        })
    })?;
    let buf = buf.map_err(crate::args::value_error)?;
    let memory = Bound::new(py, DenseMemory(Some(T::wrap(buf))))?;
    let values = memory
        .get()
        .0
        .as_ref()
        .and_then(T::unwrap)
        .ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("internal error: the dense buffer was not stored"))?;
    let view = ArrayView2::from_shape((n, k), values).map_err(crate::args::value_error)?;
    // SAFETY: `memory` becomes the array's base object, so NumPy keeps it,
    // and the buffer it owns, alive as long as the array; the buffer is
    // never resized or written by Rust while it is there (the pyclass is
    // frozen, and the buffer leaves it only in `drop`).
    #[allow(unsafe_code)]
    let array = unsafe { PyArray2::borrow_from_array(&view, memory.clone().into_any()) };
    Ok(array.into_any().unbind())
}
