//! The parallel driver: signals split into fixed chunks (independent of
//! the thread count), each chunk's `DᵀX` computed with faer and its
//! signals coded with one reused workspace, compiled for the widest SIMD
//! extension the CPU has.

use faer::{MatMut, MatRef, Par};
use rayon::prelude::*;
use sc_linalg::{Real, dtx_into, kernels};

use crate::Dictionary;
use crate::codes::SparseCodes;
use crate::iterative::{iterative_one, threshold_one};
use crate::lars::{LarsMode, lars_one};
use crate::omp::{OmpRule, omp_one};
use crate::plan::Plan;
use crate::workspace::{CodeSink, Workspace};

struct ChunkOut<T> {
    counts: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<T>,
    /// Signals whose iterative solver stopped at `max_iter` short of its
    /// tolerance.
    unconverged: usize,
}

/// Splits the signals into fixed chunks (independent of the thread count),
/// codes the chunks in parallel and concatenates them in order. `init`
/// (n_atoms × n_samples) is the iterative solvers' warm start, or a LARS
/// plan's ℓ1 weights.
pub(crate) fn run<T: Real>(
    plan: &Plan<T>,
    dict: &Dictionary<T>,
    x: MatRef<'_, T>,
    init: Option<MatRef<'_, T>>,
    chunk: usize,
) -> SparseCodes<T> {
    let n_samples = x.ncols();
    let n_chunks = n_samples.div_ceil(chunk);
    let cap = active_cap(plan, dict);
    let outs: Vec<ChunkOut<T>> = (0..n_chunks)
        .into_par_iter()
        // Each split of the range builds one workspace; keep splits coarse.
        .with_min_len(coarse(n_chunks))
        .map_init(
            || Scratch::new(dict, cap, chunk),
            |scratch, ci| {
                let s0 = ci * chunk;
                let len = chunk.min(n_samples - s0);
                code_chunk(plan, dict, x.subcols(s0, len), init.map(|m| m.subcols(s0, len)), scratch)
            },
        )
        .collect();
    let mut indptr = Vec::with_capacity(n_samples + 1);
    indptr.push(0usize);
    let total: usize = outs.iter().map(|o| o.indices.len()).sum();
    let mut indices = Vec::with_capacity(total);
    let mut values = Vec::with_capacity(total);
    let unconverged = outs.iter().map(|o| o.unconverged).sum();
    for o in outs {
        for c in o.counts {
            let last = *indptr.last().unwrap();
            indptr.push(last + c);
        }
        indices.extend_from_slice(&o.indices);
        values.extend_from_slice(&o.values);
    }
    SparseCodes::from_parts_unchecked(dict.n_atoms(), indptr, indices, values).with_unconverged(unconverged)
}

/// The bound of the active set: the rank of the Gram matrix, which an
/// elastic-net term makes full.
pub(crate) fn active_cap<T: Real>(plan: &Plan<T>, dict: &Dictionary<T>) -> usize {
    match plan {
        Plan::Lars(LarsMode::Lasso { l2, .. } | LarsMode::Budget { l2, .. }) if *l2 > T::ZERO => dict.n_atoms(),
        _ => dict.n_atoms().min(dict.n_features()),
    }
}

/// Chunks per split of the parallel range: each split builds one
/// workspace, so splits stay coarse (four per thread).
fn coarse(n_chunks: usize) -> usize {
    n_chunks.div_ceil(4 * rayon::current_num_threads()).max(1)
}

/// [`run`] writing each chunk's codes into its block of the dense `out`;
/// returns the signals left unconverged ([`SparseCodes::unconverged`]).
pub(crate) fn run_dense<T: Real>(
    plan: &Plan<T>,
    dict: &Dictionary<T>,
    x: MatRef<'_, T>,
    init: Option<MatRef<'_, T>>,
    chunk: usize,
    out: &mut [T],
    zeroed: bool,
) -> usize {
    let (n_samples, k) = (x.ncols(), dict.n_atoms());
    if k == 0 || n_samples == 0 {
        return 0;
    }
    let n_chunks = n_samples.div_ceil(chunk);
    let cap = active_cap(plan, dict);
    out.par_chunks_mut(chunk * k)
        .enumerate()
        .with_min_len(coarse(n_chunks))
        .map_init(
            || Scratch::new(dict, cap, chunk),
            |scratch, (ci, block)| {
                let s0 = ci * chunk;
                let len = chunk.min(n_samples - s0);
                let codes = code_chunk(plan, dict, x.subcols(s0, len), init.map(|m| m.subcols(s0, len)), scratch);
                if !zeroed {
                    block.fill(T::ZERO);
                }
                let mut at = 0;
                for (col, &count) in block.chunks_exact_mut(k).zip(&codes.counts) {
                    for (&i, &v) in codes.indices[at..at + count].iter().zip(&codes.values[at..at + count]) {
                        col[i as usize] = v;
                    }
                    at += count;
                }
                codes.unconverged
            },
        )
        .sum()
}

/// One split's memory, reused by every chunk it codes.
struct Scratch<T: Real> {
    ws: Workspace<T>,
    /// `Dᵀx` of the chunk's signals (n_atoms × chunk).
    bbuf: Vec<T>,
    /// A warm start's column (n_atoms).
    initbuf: Vec<T>,
    /// `‖x‖²` of the chunk's signals.
    norms: Vec<T>,
    /// The signals that need coding, gathered (n_features × chunk).
    xbuf: Vec<T>,
}

impl<T: Real> Scratch<T> {
    fn new(dict: &Dictionary<T>, cap: usize, chunk: usize) -> Self {
        let (nf, n) = (dict.n_features(), dict.n_atoms());
        Self {
            ws: Workspace::new(n, cap),
            // Two columns at least: see `dtx_chunk`.
            bbuf: vec![T::ZERO; n * chunk.max(2)],
            initbuf: vec![T::ZERO; n],
            norms: vec![T::ZERO; chunk],
            xbuf: vec![T::ZERO; nf * chunk.max(2)],
        }
    }
}

fn code_chunk<T: Real>(
    plan: &Plan<T>,
    dict: &Dictionary<T>,
    x: MatRef<'_, T>,
    init: Option<MatRef<'_, T>>,
    sc: &mut Scratch<T>,
) -> ChunkOut<T> {
    let (nf, n, len) = (dict.n_features(), dict.n_atoms(), x.ncols());
    let norms = &mut sc.norms[..len];
    for (s, v) in norms.iter_mut().enumerate() {
        let col = x.col(s);
        *v = match col.try_as_col_major() {
            Some(c) => kernels::norm_sq(c.as_slice()),
            None => (0..nf).fold(T::ZERO, |acc, i| acc + col[i] * col[i]),
        };
    }
    // OMP with a residual goal leaves a signal already within it uncoded:
    // only the others need `Dᵀx` (in denoising, most patches of flat areas).
    let skip_within = match plan {
        Plan::Omp(OmpRule { tol: Some(t), .. }) | Plan::Lars(LarsMode::Goal { eps: t, .. }) => Some(*t),
        _ => None,
    };
    let m = match skip_within {
        Some(t) if norms.iter().any(|&v| v <= t) => {
            let mut m = 0;
            for s in (0..len).filter(|&s| norms[s] > t) {
                let col = x.col(s);
                for (i, v) in sc.xbuf[m * nf..(m + 1) * nf].iter_mut().enumerate() {
                    *v = col[i];
                }
                m += 1;
            }
            dtx_chunk(dict, None, m, &mut sc.xbuf, &mut sc.bbuf);
            m
        }
        _ => {
            dtx_chunk(dict, Some(x), len, &mut sc.xbuf, &mut sc.bbuf);
            len
        }
    };
    // Expected non-zeros per signal (the buffers grow past it if needed).
    let per = match plan {
        Plan::Omp(OmpRule { max_k, tol: None, penalty: None, .. }) => *max_k,
        Plan::Omp(OmpRule { max_k, .. }) => (*max_k).min(4),
        Plan::Lars(LarsMode::Lar { k }) => (*k).min(dict.n_atoms()),
        _ => 8,
    };
    let mut out = ChunkOut {
        counts: Vec::with_capacity(len),
        indices: Vec::with_capacity(m * per),
        values: Vec::with_capacity(m * per),
        unconverged: 0,
    };
    let Scratch { ws, bbuf, initbuf, norms, .. } = sc;
    let job = ChunkJob { plan, dict, init, skip_within, norms: &norms[..len], ws, bbuf: &bbuf[..n * m], initbuf, out: &mut out };
    dispatch_code_signals(job);
    out
}

/// `Dᵀx` for the chunk's `m` signals (`x`, or the first `m` columns of
/// `xbuf` when `None`) into `bbuf`. faer's matrix product takes another
/// path (a matrix-vector product, summing in another order) for one
/// column: a lone signal is coded as a pair of copies of itself, so that
/// its code does not depend on how many signals share its chunk (a dask
/// block of one row codes as the whole array does, bit for bit).
fn dtx_chunk<T: Real>(dict: &Dictionary<T>, x: Option<MatRef<'_, T>>, m: usize, xbuf: &mut [T], bbuf: &mut [T]) {
    let (nf, n) = (dict.n_features(), dict.n_atoms());
    let mut cols = m;
    if m == 1 {
        if let Some(x) = x {
            let col = x.col(0);
            xbuf[..nf].iter_mut().enumerate().for_each(|(i, v)| *v = col[i]);
        }
        xbuf.copy_within(..nf, nf);
        cols = 2;
    }
    let xm = match x {
        Some(x) if m != 1 => x,
        _ => MatRef::from_column_major_slice(&xbuf[..cols * nf], nf, cols),
    };
    dtx_into(dict.matrix(), xm, MatMut::from_column_major_slice_mut(&mut bbuf[..n * cols], n, cols), Par::Seq);
}

/// Everything one chunk's coding reads and writes.
struct ChunkJob<'a, 'm, T: Real> {
    plan: &'a Plan<T>,
    dict: &'a Dictionary<T>,
    init: Option<MatRef<'m, T>>,
    /// Signals with `‖x‖²` at most this were not given `Dᵀx` (no code).
    skip_within: Option<T>,
    /// `‖x‖²` of every signal of the chunk.
    norms: &'a [T],
    ws: &'a mut Workspace<T>,
    bbuf: &'a [T],
    initbuf: &'a mut [T],
    out: &'a mut ChunkOut<T>,
}

/// Codes the signals of a chunk with [`code_signals`] compiled for the
/// widest SIMD extension the CPU has, chosen at run time by `pulp` (x86-64
/// v4 or v3, else the baseline; every solver and kernel below it is
/// `#[inline(always)]`, so the whole loop is built for that extension). The
/// vector kernels combine a fixed number of lanes in a fixed order, so the
/// codes are the same bits on every path.
fn dispatch_code_signals<T: Real>(job: ChunkJob<'_, '_, T>) {
    struct Op<'a, 'm, T: Real>(ChunkJob<'a, 'm, T>);
    impl<T: Real> pulp::WithSimd for Op<'_, '_, T> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _: S) {
            code_signals(self.0)
        }
    }
    pulp::Arch::new().dispatch(Op(job))
}

#[inline(always)]
fn code_signals<T: Real>(job: ChunkJob<'_, '_, T>) {
    let ChunkJob { plan, dict, init, skip_within, norms, ws, bbuf, initbuf, out } = job;
    let n = dict.n_atoms();
    let mut sink = CodeSink { indices: &mut out.indices, values: &mut out.values };
    let mut w = 0;
    for (s, &xnorm2) in norms.iter().enumerate() {
        if skip_within.is_some_and(|t| xnorm2 <= t) {
            out.counts.push(0);
            continue;
        }
        let before = sink.indices.len();
        let b = &bbuf[w * n..(w + 1) * n];
        w += 1;
        match *plan {
            Plan::Omp(rule) => {
                if !omp_one(n, &mut &*dict, b, xnorm2, rule, ws, &mut sink) {
                    out.unconverged += 1;
                }
            }
            Plan::Lars(mode) => {
                // A LARS plan's side matrix is the ℓ1 weights.
                let weights = init.map(|m| {
                    let col = m.col(s);
                    for (i, v) in initbuf.iter_mut().enumerate() {
                        *v = col[i];
                    }
                    &*initbuf
                });
                lars_one(n, dict.n_features(), &mut &*dict, b, xnorm2, mode, weights, ws, &mut sink)
            }
            Plan::Iterative(method, cfg) => {
                let warm = init.map(|m| {
                    let col = m.col(s);
                    for (i, v) in initbuf.iter_mut().enumerate() {
                        *v = col[i];
                    }
                    &*initbuf
                });
                if !iterative_one(dict, b, xnorm2, warm, method, cfg, ws, &mut sink) {
                    out.unconverged += 1;
                }
            }
            Plan::Threshold { alpha, hard, positive } => threshold_one(b, alpha, hard, positive, &mut sink),
        }
        out.counts.push(sink.indices.len() - before);
    }
}
