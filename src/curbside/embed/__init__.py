"""Dense sentence embeddings (MiniLM) without torch: pinned weights, an ONNX graph built from
them, and a numpy reference forward pass."""
