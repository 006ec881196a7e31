extension Module {
    /// Every parameter in one safetensors file under its checkpoint name, as
    /// transformers' and diffusers' `save_pretrained` write weights (F32, F16
    /// or BF16), so their `from_pretrained` reads the file back.
    public func writeWeights(to path: String, dtype: DType = .f32, metadata: [String: String] = ["format": "pt"]) throws(SafetensorsError) {
        var writer = SafetensorsWriter(metadata: metadata)
        for (name, parameter) in namedParameters() {
            try writer.add(name, dtype: dtype, shape: parameter.shape, values: parameter.value.scalars)
        }
        try writer.write(to: path)
    }
}
