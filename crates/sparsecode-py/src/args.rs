//! What every binding function shares: arrays in and out, thread counts,
//! names, NumPy's random state, and the one f32/f64 dispatch.

use numpy::{Element, IntoPyArray, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyMemoryError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use sparsecode::dict::rng::{Generator, NumpyRandomState, SplitMix};
use sparsecode::faer::MatRef;
use sparsecode::linalg::Real;
use sparsecode::linalg::memory::{TOO_LARGE, thread_cap};

/// A library error as a Python exception: `MemoryError` for what would not
/// fit in memory (the library's errors say [`TOO_LARGE`]), else
/// `ValueError`.
pub(crate) fn value_error(e: impl std::fmt::Display) -> PyErr {
    let msg = e.to_string();
    if msg.contains(TOO_LARGE) { PyMemoryError::new_err(msg) } else { PyValueError::new_err(msg) }
}

/// Runs `f` with the GIL released. A panic that slipped past the library's
/// checks becomes a `RuntimeError`, which `except Exception` catches (pyo3
/// would raise its `PanicException`, a `BaseException`).
pub(crate) fn detach<R: Send>(py: Python<'_>, f: impl FnOnce() -> R + Send) -> PyResult<R> {
    py.detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))).map_err(|p| {
        let what = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default();
        PyRuntimeError::new_err(format!("internal error in the sparsecode core ({what}); please report it"))
    })
}

/// A name parsed by the library enum's own `FromStr` (its one spelling,
/// snake_case or kebab-case).
pub(crate) fn parse<T: std::str::FromStr>(name: &str) -> PyResult<T>
where
    T::Err: std::fmt::Display,
{
    name.parse::<T>().map_err(value_error)
}

/// Runs `$body` with `$x` bound to `$any` as a float64 array, or else as a
/// float32 one (the body is compiled for both); any other array is a
/// `TypeError`.
macro_rules! with_floats {
    ($any:expr, |$x:ident| $body:expr) => {{
        let any = $any;
        if let Ok($x) = any.extract::<numpy::PyReadonlyArray2<'_, f64>>() {
            $body
        } else if let Ok($x) = any.extract::<numpy::PyReadonlyArray2<'_, f32>>() {
            $body
        } else {
            Err(pyo3::exceptions::PyTypeError::new_err("x must be a 2-D float32 or float64 array"))
        }
    }};
}
pub(crate) use with_floats;

/// A 2-D array `(rows, cols)` as the column-major `cols × rows` matrix of its
/// bytes: C order is read in place, Fortran order as a row-major view.
pub(crate) fn view<'a, T: Element>(a: &'a PyReadonlyArray2<'_, T>) -> PyResult<MatRef<'a, T>> {
    let (rows, cols) = (a.shape()[0], a.shape()[1]);
    let c_order = a.is_c_contiguous();
    let slice = a.as_slice().map_err(|_| PyValueError::new_err("arrays must be aligned and C- or Fortran-contiguous"))?;
    Ok(if c_order { MatRef::from_column_major_slice(slice, cols, rows) } else { MatRef::from_row_major_slice(slice, cols, rows) })
}

/// A `(rows, cols)` C-order NumPy array holding `data` (column-major
/// `cols × rows`), without a copy.
pub(crate) fn array2<T: Element>(py: Python<'_>, data: Vec<T>, rows: usize, cols: usize) -> PyResult<Py<PyAny>> {
    Ok(data.into_pyarray(py).reshape([rows, cols])?.into_any().unbind())
}

/// A copy of a C-ordered 2-D array's values (the column-major matrix of its
/// transpose), for the library's owned buffers.
pub(crate) fn to_vec<T: Element + Copy>(a: &PyReadonlyArray2<'_, T>) -> PyResult<Vec<T>> {
    let s = a.as_slice().map_err(|_| PyValueError::new_err("arrays must be C-contiguous"))?;
    copied(s)
}

/// A copy of `s` through the library's checked allocation: a
/// `MemoryError`, not an abort, when the machine cannot hold it.
pub(crate) fn copied<T: Copy>(s: &[T]) -> PyResult<Vec<T>> {
    sparsecode::linalg::memory::copied(s, || format!("a copy of {} values", s.len())).map_err(value_error)
}

/// The signals of `x` as one column-major buffer (a copy: a mini-batch).
pub(crate) fn signals<T: Real + Element>(x: &PyReadonlyArray2<'_, T>, nf: usize) -> PyResult<Vec<T>> {
    let xm = view(x)?;
    if xm.nrows() != nf {
        return Err(PyValueError::new_err(format!("X has {} features, the dictionary {nf}", xm.nrows())));
    }
    Ok((0..xm.ncols()).flat_map(|s| (0..nf).map(move |i| xm[(i, s)])).collect())
}

/// A C-ordered boolean mask's flags.
pub(crate) fn flags<'a>(mask: &'a PyReadonlyArray2<'_, bool>, name: &str) -> PyResult<&'a [bool]> {
    mask.as_slice().map_err(|_| PyValueError::new_err(format!("{name} must be C-contiguous")))
}

/// Runs `f` on `n_jobs` threads (rayon's global pool when `None`).
pub(crate) fn on_threads<R: Send>(n_jobs: Option<usize>, f: impl FnOnce() -> R + Send) -> PyResult<R> {
    match n_jobs {
        None => Ok(f()),
        Some(0) => Err(PyValueError::new_err("n_jobs must be at least 1")),
        Some(n) => Ok(rayon::ThreadPoolBuilder::new().num_threads(thread_cap(n)).build().map_err(value_error)?.install(f)),
    }
}

/// NumPy's `RandomState.get_state()[1:]`: the 624 words, the position, and
/// the kept Gaussian value (`has_gauss`, `cached_gaussian`).
pub(crate) type NumpyState = (Vec<u32>, usize, bool, f64);

/// The generator that continues `numpy_state`, or else one seeded with
/// `seed`.
pub(crate) fn generator(numpy_state: Option<NumpyState>, seed: u64) -> PyResult<Generator> {
    Ok(match numpy_state_in(numpy_state)? {
        Some(g) => Generator::from(g),
        None => Generator::from(SplitMix(seed)),
    })
}

/// A NumPy state as the core's generator.
pub(crate) fn numpy_state_in(state: Option<NumpyState>) -> PyResult<Option<NumpyRandomState>> {
    state
        .map(|(key, pos, has_gauss, gauss)| {
            NumpyRandomState::from_state(&key, pos, has_gauss, gauss)
                .ok_or_else(|| PyValueError::new_err("a RandomState's state is 624 words and a position of at most 624"))
        })
        .transpose()
}

/// The state of a NumPy generator after a fit, for `RandomState.set_state`.
pub(crate) fn numpy_state_out(g: Option<&Generator>) -> Option<NumpyState> {
    match g {
        Some(Generator::NumPy(s)) => {
            let (key, pos, has_gauss, gauss) = s.state();
            Some((key.to_vec(), pos, has_gauss, gauss))
        }
        _ => None,
    }
}

/// The thread count a request of `n` runs on: at most the machine's cores
/// (the library's rule, the command line's too).
#[pyfunction]
pub(crate) fn threads_for(n: usize) -> usize {
    thread_cap(n)
}

/// Panics inside the core, to test that a panic reaches Python as an
/// ordinary exception.
#[pyfunction]
pub(crate) fn _panic_for_tests(py: Python<'_>) -> PyResult<()> {
    detach(py, || panic!("a deliberate panic"))
}

/// `max_no_improvement` as the binding takes it: `None` is the learner's
/// `default`, a negative number turns the rule off (Python's `None`), any
/// other number is itself (0 stops at the first step the rule looks at, as
/// in scikit-learn).
pub(crate) fn no_improvement(arg: Option<i64>, default: Option<usize>) -> Option<usize> {
    match arg {
        None => default,
        Some(m) if m < 0 => None,
        Some(m) => Some(m as usize),
    }
}
