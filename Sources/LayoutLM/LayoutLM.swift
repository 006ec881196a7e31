/// LayoutLM: the small Llama-architecture layout planner that turns a prompt
/// into `Layout` tokens. Its model, tokenizer, training and decoding land with
/// the LayoutLM issue; this module exists now so the dependency graph
/// (CLI -> pipeline modules -> TensorCore and PosterCore) is fixed from the start.
public enum LayoutLM {
    /// The layout format the planner reads and writes.
    public static let outputFormat: String = "tokens"
}
