// Transformers of the zoo: ViT-B/16 (torchvision), MobileBERT and GPT-2 medium (Hugging Face).
// Attention is modelled head by head: QK^T and AV are dynamic MatMuls between activations.
#include <fmt/format.h>

#include "workloads/zoo_nets.h"

namespace imc::workloads::zoo {

int attention_core(Graph& g, int q, int k, int v, std::int64_t heads, const std::string& p) {
  const std::int64_t tokens = g.node(q).out[0], dim = g.node(q).out[1], hd = dim / heads;
  // [T, H*d] -> [T, H, d] -> [H, T, d] (queries, values) or [H, d, T] (keys, transposed).
  int qh = g.permute(g.reshape(q, {tokens, heads, hd}, p + ".q.split"), {1, 0, 2}, p + ".q.heads");
  int kt = g.permute(g.reshape(k, {tokens, heads, hd}, p + ".k.split"), {1, 2, 0}, p + ".k.heads_t");
  int vh = g.permute(g.reshape(v, {tokens, heads, hd}, p + ".v.split"), {1, 0, 2}, p + ".v.heads");
  int s = g.matmul(qh, kt, p + ".qk");  // [H, T, T]
  s = g.softmax(s, p + ".softmax");
  int o = g.matmul(s, vh, p + ".av");  // [H, T, d]
  o = g.permute(o, {1, 0, 2}, p + ".merge_t");
  return g.reshape(o, {tokens, dim}, p + ".merge");
}

namespace {

// Self-attention with one packed QKV projection (torchvision MultiheadAttention in_proj, GPT-2
// c_attn): Linear D -> 3D, split, attention core, output projection D -> D.
int packed_self_attention(Graph& g, int x, std::int64_t heads, const std::string& p, const char* qkv_name,
                          const char* out_name) {
  const std::int64_t dim = g.node(x).out[1];
  int qkv = g.linear(x, 3 * dim, true, p + "." + qkv_name);
  int q = g.slice(qkv, 1, 0, dim, 1, p + ".q");
  int k = g.slice(qkv, 1, dim, dim, 1, p + ".k");
  int v = g.slice(qkv, 1, 2 * dim, dim, 1, p + ".v");
  int o = attention_core(g, q, k, v, heads, p);
  return g.linear(o, dim, true, p + "." + out_name);
}

// Pre-LN transformer block: x + attn(LN(x)), then x + MLP(LN(x)) with GELU.
int pre_ln_block(Graph& g, int x, std::int64_t heads, std::int64_t mlp, const std::string& p,
                 const char* qkv_name, const char* out_name, const char* fc1, const char* fc2) {
  const std::int64_t dim = g.node(x).out[1];
  int h = g.layernorm(x, p + ".ln_1");
  h = packed_self_attention(g, h, heads, p + ".attn", qkv_name, out_name);
  x = g.add(x, h, p + ".add_1");
  h = g.layernorm(x, p + ".ln_2");
  h = g.linear(h, mlp, true, p + ".mlp." + fc1);
  h = g.activation(h, ActKind::GELU, p + ".mlp.gelu");
  h = g.linear(h, dim, true, p + ".mlp." + fc2);
  return g.add(x, h, p + ".add_2");
}

}  // namespace

// torchvision vit_b_16 at 3x224x224: 16x16 patches -> 196 tokens + class token = 197 tokens, 12
// pre-LN blocks, D = 768, 12 heads, MLP 3072, GELU; the class token's final state feeds the head.
// Counts the class token and position embeddings as learned parameters. 17.6 GMAC, 86.57 M params.
Graph vit_b16() {
  const std::int64_t dim = 768, heads = 12, mlp = 3072, layers = 12;
  Graph g("vit_b16");
  int x = g.input({3, 224, 224}, "input");
  x = g.conv(x, dim, 16, 16, 0, 1, 1, true, "conv_proj");  // [768, 14, 14]
  x = g.reshape(x, {dim, 196}, "patches.flatten");
  x = g.permute(x, {1, 0}, "patches.tokens");  // [196, 768]
  int cls = g.parameter({1, dim}, 0, "class_token");
  x = g.concat({cls, x}, 0, "tokens");  // [197, 768]
  int pos = g.parameter({197, dim}, 0, "pos_embedding");
  x = g.add(x, pos, "pos_add");
  for (int l = 0; l < layers; ++l)
    x = pre_ln_block(g, x, heads, mlp, fmt::format("encoder.layer{}", l), "in_proj", "out_proj", "fc1",
                     "fc2");
  x = g.layernorm(x, "encoder.ln");
  x = g.slice(x, 0, 0, 1, 1, "class_token_out");  // [1, 768]
  g.linear(x, 1000, true, "head");
  return g;
}

// GPT-2 medium (Radford et al. 2019; Hugging Face gpt2-medium): 24 pre-LN blocks, D = 1024, 16
// heads, MLP 4096, GELU, vocabulary 50257, 1024 positions. Sequence length 256 (one forward pass
// over a 256-token context). The input is the 256 looked-up token embeddings; the token-embedding
// table is tied to the LM head, whose 1024 x 50257 weight matrix is counted once, there. The
// position table (1024 x 1024) is a learned parameter of which 256 rows are read. The LM head is
// applied to all 256 positions (as in GPT2LMHeadModel.forward). 354.8 M params; MACs = 256 x
// (12 x 24 x 1024^2 [projections] + 2 x 24 x 256 x 1024 [QK^T, AV] + 1024 x 50257 [LM head]).
Graph gpt2_medium() {
  const std::int64_t seq = 256, dim = 1024, heads = 16, mlp = 4096, layers = 24, vocab = 50257,
                     positions = 1024;
  Graph g("gpt2_medium");
  int x = g.input({seq, dim}, "wte_lookup");
  int pos = g.parameter({seq, dim}, positions * dim, "wpe");
  x = g.add(x, pos, "pos_add");
  for (int l = 0; l < layers; ++l)
    x = pre_ln_block(g, x, heads, mlp, fmt::format("h{}", l), "c_attn", "c_proj", "c_fc", "c_proj");
  x = g.layernorm(x, "ln_f");
  g.linear(x, vocab, false, "lm_head");
  return g;
}

// MobileBERT (Sun et al., ACL 2020; Hugging Face google/mobilebert-uncased config): 24 layers,
// hidden 512, bottleneck 128, 4 heads of 32, 4 stacked FFNs of 128 -> 512 -> 128 with ReLU,
// NoNorm (a per-feature affine), shared key/query bottleneck, trigram embeddings of size 128.
// Sequence length 128. The encoder only (no pooler: classifier_activation = false; no task head).
// Embedding tables (word 30522 x 128, position 512 x 512, token type 2 x 512) are learned
// parameters of which 128 rows each are read. 24.58 M params.
Graph mobilebert() {
  const std::int64_t seq = 128, hidden = 512, inner = 128, heads = 4, ffn = 512, layers = 24;
  const std::int64_t vocab = 30522, embed = 128, positions = 512, types = 2;
  Graph g("mobilebert");
  int emb = g.parameter({seq, embed}, vocab * embed, "embeddings.word");
  // Trigram input: [e(t+1), e(t), e(t-1)] concatenated, zero at the sequence ends.
  int next = g.pad(g.slice(emb, 0, 1, seq - 1, 1, "embeddings.next.slice"), 0, 0, 1, "embeddings.next");
  int prev = g.pad(g.slice(emb, 0, 0, seq - 1, 1, "embeddings.prev.slice"), 0, 1, 0, "embeddings.prev");
  int x = g.concat({next, emb, prev}, 1, "embeddings.trigram");  // [128, 384]
  x = g.linear(x, hidden, true, "embeddings.transform");
  x = g.add(x, g.parameter({seq, hidden}, positions * hidden, "embeddings.position"), "embeddings.pos_add");
  x = g.add(x, g.parameter({seq, hidden}, types * hidden, "embeddings.token_type"), "embeddings.type_add");
  x = g.affine(x, 1, "embeddings.norm");
  for (int l = 0; l < layers; ++l) {
    std::string p = fmt::format("layer{}", l);
    auto bottleneck = [&](int in, std::int64_t width, int residual, const std::string& n) {
      int y = g.linear(in, width, true, n + ".dense");
      if (residual >= 0) y = g.add(y, residual, n + ".add");
      return g.affine(y, 1, n + ".norm");
    };
    int layer_in = bottleneck(x, inner, -1, p + ".bottleneck.input");
    int shared = bottleneck(x, inner, -1, p + ".bottleneck.attention");
    int q = g.linear(shared, inner, true, p + ".attn.query");
    int k = g.linear(shared, inner, true, p + ".attn.key");
    int v = g.linear(x, inner, true, p + ".attn.value");
    int ctx = attention_core(g, q, k, v, heads, p + ".attn");
    int h = bottleneck(ctx, inner, layer_in, p + ".attn.output");
    for (int f = 0; f < 4; ++f) {
      std::string fp = f < 3 ? fmt::format("{}.ffn{}", p, f) : p + ".ffn_last";
      int i = g.activation(g.linear(h, ffn, true, fp + ".intermediate"), ActKind::ReLU, fp + ".relu");
      h = bottleneck(i, inner, h, fp + ".output");
    }
    x = bottleneck(h, hidden, x, p + ".output.bottleneck");
  }
  return g;
}

}  // namespace imc::workloads::zoo
