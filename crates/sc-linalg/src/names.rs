//! One spelling per name: how every crate of the workspace turns the names
//! of its choices (algorithms, starts, learners, colour modes …) into enums
//! and back.
//!
//! Each enum is given one canonical spelling per variant, scikit-learn's
//! snake_case (`lasso_lars`); parsing also accepts the command line's
//! kebab-case (`lasso-lars`) and any letter case. The doors (the CLI, the
//! Python binding) parse through these implementations and print
//! [`Display`](std::fmt::Display), so a name is written once, in the crate
//! that owns the choice.

/// A name that is none of an enum's spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What was being named (`"algorithm"`, `"init"` …).
    pub what: &'static str,
    /// The name given.
    pub got: String,
    /// The canonical spellings.
    pub expected: Vec<&'static str>,
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} {:?}: expected one of {}", self.what, self.got, self.expected.join(", "))
    }
}

impl std::error::Error for UnknownName {}

/// `name` in canonical form: lower case, `-` read as `_`, spaces trimmed.
pub fn canonical(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('-', "_")
}

/// Implements, for a fieldless enum, `NAMES` (the canonical spellings, in
/// the order given), `name()`, [`FromStr`](std::str::FromStr) (through
/// [`canonical`], so snake_case and kebab-case alike) with
/// [`UnknownName`] as its error, and [`Display`](std::fmt::Display).
///
/// ```
/// #[derive(Debug, Clone, Copy, PartialEq)]
/// enum Side { Left, RightHand }
/// sc_linalg::named_enum!(Side, "side", { Left => "left", RightHand => "right_hand" });
/// assert_eq!("right-hand".parse::<Side>(), Ok(Side::RightHand));
/// assert_eq!(Side::RightHand.to_string(), "right_hand");
/// assert!("up".parse::<Side>().is_err());
/// ```
#[macro_export]
macro_rules! named_enum {
    ($ty:ty, $what:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// The canonical spellings of the variants.
            pub const NAMES: &'static [&'static str] = &[$($name),+];
            /// This variant's canonical spelling.
            pub fn name(&self) -> &'static str {
                match self {
                    $(<$ty>::$variant => $name,)+
                }
            }
        }
        impl ::std::str::FromStr for $ty {
            type Err = $crate::names::UnknownName;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                let c = $crate::names::canonical(s);
                $(if c == $name { return Ok(<$ty>::$variant); })+
                Err($crate::names::UnknownName { what: $what, got: s.to_string(), expected: <$ty>::NAMES.to_vec() })
            }
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}
