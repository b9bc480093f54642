//! Sparse PCA, scikit-learn's `SparsePCA` and `MiniBatchSparsePCA`
//! (Jenatton, Obozinski & Bach 2010; Mairal et al. 2009): sparse
//! components that reconstruct the centred data.
//!
//! The problem is dictionary learning on the transposed data: each
//! feature, centred over the samples, is a signal of length n_samples; its
//! sparse code over `n_components` atoms is that feature's loading in each
//! component. A fit therefore
//! 1. centres the features and transposes (one copy),
//! 2. learns the atoms with the batch learner ([`crate::batch`],
//!    `SparsePCA`) or the online learner ([`crate::online`],
//!    `MiniBatchSparsePCA`), both starting from the SVD as scikit-learn's,
//! 3. takes the features' Lasso codes as the components: those of the
//!    batch learner's last iteration (scikit-learn's `dict_learning`
//!    returns them), or, online, the codes over the learned atoms,
//! 4. for the batch learner, fixes each component's sign so that its
//!    largest entry is positive (scikit-learn's `svd_flip`), and
//! 5. scales each non-zero component to unit norm.
//!
//! [`transform`] gives the data's coordinates on the components by ridge
//! regression ([`sc_solvers::ridge`]), scikit-learn's `transform`.

use faer::{Mat, MatRef};
use sc_linalg::{Real, kernels, memory};
use sc_solvers::{Encode, Encoder};

use crate::batch::BatchParams;
use crate::error::{Error, Result, invalid};
use crate::init::Init;
use crate::learner::{Fit, Learn, Valid};
use crate::online::OnlineParams;
use crate::progress::Observer;
use crate::stats::code_live;

/// Which learner factors the transposed data.
#[derive(Debug, Clone, PartialEq)]
pub enum PcaLearner {
    /// Batch learning: scikit-learn's `SparsePCA`.
    Batch(BatchParams),
    /// Online mini-batch learning: scikit-learn's `MiniBatchSparsePCA`.
    Online(OnlineParams),
}

/// Parameters of sparse PCA.
#[derive(Debug, Clone, PartialEq)]
pub struct SparsePcaParams {
    /// The learner, its `n_atoms` the number of components.
    pub learner: PcaLearner,
    /// The components to return when the batch learner runs no iteration
    /// (`max_iter = 0`): column-major n_features × n_components, the bytes
    /// of scikit-learn's `V_init` `(n_components, n_features)`. Only used
    /// with a given start dictionary (`U_init`), as scikit-learn uses it.
    pub start_components: Option<Vec<f64>>,
}

impl SparsePcaParams {
    /// scikit-learn's `SparsePCA` defaults with `n_components` components:
    /// `alpha` 1, `max_iter` 1000, `tol` 1e-8, Lasso-LARS, the SVD start.
    pub fn batch(n_components: usize) -> Self {
        let learner = PcaLearner::Batch(BatchParams { init: Init::Svd, ..BatchParams::new(n_components) });
        Self { learner, start_components: None }
    }

    /// scikit-learn's `MiniBatchSparsePCA` defaults with `n_components`
    /// components: `alpha` 1, `max_iter` 1000, `batch_size` 3, `tol` 1e-3,
    /// `max_no_improvement` 10, shuffled, Lasso-LARS, the SVD start.
    pub fn online(n_components: usize) -> Self {
        let learner = PcaLearner::Online(OnlineParams { batch_size: 3, init: Init::Svd, ..OnlineParams::new(n_components) });
        Self { learner, start_components: None }
    }

    /// The number of components.
    pub fn n_components(&self) -> usize {
        match &self.learner {
            PcaLearner::Batch(p) => p.n_atoms,
            PcaLearner::Online(p) => p.n_atoms,
        }
    }

    /// The learner's own coder (Lasso-LARS at `alpha`).
    pub fn encoder(&self) -> Encoder {
        match &self.learner {
            PcaLearner::Batch(p) => p.encoder(),
            PcaLearner::Online(p) => p.encoder(),
        }
    }

    /// Checks every field (the learner's own check included).
    pub fn check(&self) -> Result<Valid<Self>> {
        match &self.learner {
            PcaLearner::Batch(p) => drop(p.check()?),
            PcaLearner::Online(p) => drop(p.check()?),
        }
        if let Some(v) = &self.start_components {
            if !v.len().is_multiple_of(self.n_components()) {
                return Err(invalid("start_components", format!("{} values for {} components", v.len(), self.n_components())));
            }
            if !v.iter().all(|x| x.is_finite()) {
                return Err(invalid("start_components", "holds a non-finite value"));
            }
        }
        Ok(Valid::new(self.clone()))
    }
}

/// A fitted sparse PCA.
#[derive(Debug, Clone, PartialEq)]
pub struct SparsePca<T: Real> {
    /// Number of features.
    pub n_features: usize,
    /// Number of components.
    pub n_components: usize,
    /// The components, column-major n_features × n_components: the bytes
    /// of scikit-learn's `components_` `(n_components, n_features)`. Each
    /// is of unit norm, or zero.
    pub components: Vec<T>,
    /// Each feature's mean over the samples (`mean_`).
    pub mean: Vec<T>,
    /// The dictionary learning of the transposed data: its atoms (of length
    /// n_samples), its records (`error_`, `n_iter_`) and why it stopped.
    pub fit: Fit<T>,
}

impl<T: Real> SparsePca<T> {
    /// The components as a matrix (n_features × n_components).
    pub fn components(&self) -> MatRef<'_, T> {
        MatRef::from_column_major_slice(&self.components, self.n_features, self.n_components)
    }
}

impl Valid<SparsePcaParams> {
    /// Fits the columns of `x` (n_features × n_samples: the rows of
    /// scikit-learn's `X`), coding with the learner's own coder.
    pub fn fit<T: Real>(&self, x: MatRef<'_, T>, observer: &mut dyn Observer) -> Result<SparsePca<T>> {
        self.fit_with(x, &self.encoder(), observer)
    }

    /// As [`fit`](Self::fit), learning and coding with `encoder`.
    pub fn fit_with<T: Real>(&self, x: MatRef<'_, T>, encoder: &dyn Encode<T>, observer: &mut dyn Observer) -> Result<SparsePca<T>> {
        let (nf, n) = (x.nrows(), x.ncols());
        let k = self.n_components();
        if nf == 0 || n == 0 {
            return Err(Error::Dimension(format!("sparse PCA needs samples and features, got {n} samples of {nf} features")));
        }
        let (mean, xt) = centred_transpose(x)?;
        let xm = MatRef::from_column_major_slice(&xt, n, nf);
        let (mut fit, codes, batch) = match &self.learner {
            PcaLearner::Batch(p) => {
                let (fit, codes) = p.check()?.fit_with_codes(xm, encoder, observer)?;
                (fit, codes, true)
            }
            PcaLearner::Online(p) => {
                let fit = p.check()?.fit_with(xm, encoder, observer)?;
                let codes = code_live(&fit.dict, n, k, encoder, &xt, 0.0)?.map(|(c, _)| c);
                (fit, codes, false)
            }
        };
        let mut components = if batch && fit.records.is_empty() {
            match &self.start_components {
                Some(v) if v.len() == nf * k => v.iter().map(|&c| T::from_f64(c)).collect(),
                Some(v) => return Err(Error::Dimension(format!("start components of {} values for {nf}×{k}", v.len()))),
                None => projections(&xt, n, &fit.dict),
            }
        } else {
            // The features' codes (k × nf) are the components' transpose.
            let mut c = vec![T::ZERO; nf * k];
            if let Some(codes) = codes {
                for f in 0..nf {
                    let (idx, val) = codes.code(f);
                    for (&j, &v) in idx.iter().zip(val) {
                        c[j as usize * nf + f] = v;
                    }
                }
            }
            c
        };
        for (j, comp) in components.chunks_exact_mut(nf).enumerate() {
            if batch
                && let Some(i) = kernels::argmax_abs(comp)
                && comp[i] < T::ZERO
            {
                comp.iter_mut().for_each(|v| *v = -*v);
                fit.dict[j * n..(j + 1) * n].iter_mut().for_each(|v| *v = -*v);
            }
            kernels::normalize(comp);
        }
        Ok(SparsePca { n_features: nf, n_components: k, components, mean, fit })
    }
}

/// The features' means, and the centred data transposed (column-major
/// n_samples × n_features: each feature a signal). Means are summed in
/// f64 whatever `T`.
fn centred_transpose<T: Real>(x: MatRef<'_, T>) -> Result<(Vec<T>, Vec<T>)> {
    let (nf, n) = (x.nrows(), x.ncols());
    let mut xt = memory::reserved::<T>(nf * n, || format!("the transposed data, {n} samples of {nf} features"))?;
    let mean: Vec<T> = (0..nf).map(|f| T::from_f64((0..n).map(|s| x[(f, s)].to_f64()).sum::<f64>() / n as f64)).collect();
    for (f, &m) in mean.iter().enumerate() {
        xt.extend((0..n).map(|s| x[(f, s)] - m));
    }
    Ok((mean, xt))
}

/// The batch learner's start, unchanged (`max_iter = 0` without start
/// components): each feature's projection on each atom over the atom's
/// squared norm — for the SVD start, the left singular vectors, which
/// scikit-learn returns as its code. Column-major n_features × k.
fn projections<T: Real>(xt: &[T], n: usize, dict: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(xt.len() / n * dict.len() / n);
    for atom in dict.chunks_exact(n) {
        let sq = kernels::norm_sq(atom);
        out.extend(xt.chunks_exact(n).map(|feature| if sq > T::ZERO { kernels::dot(feature, atom) / sq } else { T::ZERO }));
    }
    out
}

/// The coordinates (n_components × n_samples) of the columns of `x`
/// (n_features × n_samples) on `components` (n_features × n_components),
/// after subtracting `mean`: ridge regression with penalty `ridge_alpha`,
/// scikit-learn's `transform`.
pub fn transform<T: Real>(components: MatRef<'_, T>, mean: &[T], x: MatRef<'_, T>, ridge_alpha: f64) -> Result<Mat<T>> {
    if mean.len() != x.nrows() || components.nrows() != x.nrows() {
        return Err(Error::Dimension(format!(
            "{} features in X, {} in the mean, {} in the components",
            x.nrows(),
            mean.len(),
            components.nrows()
        )));
    }
    memory::request::<T>(&[&[x.nrows(), x.ncols()]], || format!("{} centred samples", x.ncols()))?;
    let centred = Mat::from_fn(x.nrows(), x.ncols(), |f, s| x[(f, s)] - mean[f]);
    Ok(sc_solvers::ridge(components, centred.as_ref(), ridge_alpha)?)
}
