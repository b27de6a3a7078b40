#[wasm_bindgen::prelude::wasm_bindgen] pub fn hydrate() {}
