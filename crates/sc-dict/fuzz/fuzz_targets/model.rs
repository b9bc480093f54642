//! Any bytes as a model file: a model or an error, never a panic, a hang
//! or an allocation the header alone asks for; a model read back writes
//! the same bytes' model again.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sc_dict::model::Model;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Model::from_bytes(data) {
        let again = Model::from_bytes(&m.to_bytes()).expect("a model's own bytes read back");
        assert_eq!(again.atoms.len(), m.atoms.len());
    }
});
