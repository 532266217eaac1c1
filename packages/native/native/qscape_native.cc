// Node-API addon: float32 kernels that work in place on the tfjs WASM heap.
//
// Every entry point receives the heap's current ArrayBuffer plus byte offsets into it. The heap
// is taken fresh on each call because a grown WASM memory replaces the ArrayBuffer; nothing here
// keeps a pointer across calls. Every range is checked against the buffer length before use so a
// stale offset throws instead of writing outside the heap.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
// OpenBLAS's CBLAS entry points, declared here so the build needs only the library, not a
// particular distribution's header layout.
enum CBLAS_ORDER { CblasRowMajor = 101 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112 };
void cblas_sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE transA, CBLAS_TRANSPOSE transB, int m, int n, int k, float alpha,
                 const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc);
void openblas_set_num_threads(int threads);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
char* openblas_get_corename(void);
}

namespace {

// Same numbering as the activation codes passed from TypeScript (src/addon.ts).
enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kLeakyRelu = 4, kSigmoid = 5 };

struct Heap {
  uint8_t* base = nullptr;
  size_t length = 0;
};

bool Throw(napi_env env, const std::string& message) {
  napi_throw_error(env, "QSCAPE_NATIVE", message.c_str());
  return false;
}

bool GetHeap(napi_env env, napi_value value, Heap* heap) {
  bool is_buffer = false;
  napi_is_arraybuffer(env, value, &is_buffer);
  if (!is_buffer) return Throw(env, "qscape_native: heap argument must be the WASM memory ArrayBuffer");
  void* data = nullptr;
  if (napi_get_arraybuffer_info(env, value, &data, &heap->length) != napi_ok) {
    return Throw(env, "qscape_native: cannot read the heap ArrayBuffer");
  }
  heap->base = static_cast<uint8_t*>(data);
  return true;
}

bool GetInt(napi_env env, napi_value value, int64_t* out, const char* name) {
  if (napi_get_value_int64(env, value, out) != napi_ok) {
    return Throw(env, std::string("qscape_native: argument ") + name + " must be a number");
  }
  return true;
}

bool GetFloat(napi_env env, napi_value value, double* out, const char* name) {
  if (napi_get_value_double(env, value, out) != napi_ok) {
    return Throw(env, std::string("qscape_native: argument ") + name + " must be a number");
  }
  return true;
}

// A float32 view of `count` elements at byte `offset`, or nullptr (with a JS error) if the range
// is misaligned or leaves the heap.
float* FloatsAt(napi_env env, const Heap& heap, int64_t offset, int64_t count, const char* name) {
  if (count == 0) return reinterpret_cast<float*>(heap.base);
  if (offset < 0 || count < 0 || offset % 4 != 0 ||
      static_cast<uint64_t>(offset) + static_cast<uint64_t>(count) * 4 > heap.length) {
    Throw(env, std::string("qscape_native: ") + name + " (offset " + std::to_string(offset) + ", " +
                   std::to_string(count) + " floats) is outside the WASM heap of " + std::to_string(heap.length) +
                   " bytes");
    return nullptr;
  }
  return reinterpret_cast<float*>(heap.base + offset);
}

void ApplyActivation(float* x, int64_t count, int activation, float alpha) {
  switch (activation) {
    case kRelu:
      for (int64_t i = 0; i < count; i++) x[i] = x[i] > 0.f ? x[i] : 0.f;
      break;
    case kRelu6:
      for (int64_t i = 0; i < count; i++) x[i] = x[i] > 0.f ? (x[i] < 6.f ? x[i] : 6.f) : 0.f;
      break;
    case kElu:
      for (int64_t i = 0; i < count; i++) x[i] = x[i] > 0.f ? x[i] : std::expm1(x[i]);
      break;
    case kLeakyRelu:
      for (int64_t i = 0; i < count; i++) x[i] = x[i] < 0.f ? alpha * x[i] : x[i];
      break;
    case kSigmoid:
      for (int64_t i = 0; i < count; i++) x[i] = 1.f / (1.f + std::exp(-x[i]));
      break;
    default:
      break;
  }
}

// matmul(heap, aOff, bOff, outOff, batch, aBatch, bBatch, m, n, k, transA, transB, biasOff,
//        activation, alpha) → undefined
// out[i] = act(op(A[i % aBatch]) @ op(B[i % bBatch]) + bias) for i < batch: an operand with fewer
// matrices than the output repeats (broadcasting of trailing batch dimensions, or of a single
// matrix). biasOff < 0 means no bias; otherwise bias has n floats.
napi_value MatMul(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value argv[15];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 15) {
    Throw(env, "qscape_native.matmul: expected 15 arguments");
    return nullptr;
  }
  Heap heap;
  if (!GetHeap(env, argv[0], &heap)) return nullptr;
  static const char* names[] = {"aOff", "bOff", "outOff", "batch", "aBatch", "bBatch", "m", "n",
                                "k",    "transA", "transB", "biasOff", "activation"};
  int64_t v[13];
  for (int i = 0; i < 13; i++) {
    if (!GetInt(env, argv[i + 1], &v[i], names[i])) return nullptr;
  }
  double alpha = 0;
  if (!GetFloat(env, argv[14], &alpha, "alpha")) return nullptr;
  const int64_t a_off = v[0], b_off = v[1], out_off = v[2], batch = v[3], a_batch = v[4], b_batch = v[5];
  const int64_t m = v[6], n = v[7], k = v[8], bias_off = v[11], activation = v[12];
  const bool trans_a = v[9] != 0, trans_b = v[10] != 0;
  if (batch < 0 || m < 0 || n < 0 || k < 0 || a_batch < 1 || b_batch < 1) {
    Throw(env, "qscape_native.matmul: negative size");
    return nullptr;
  }
  if (m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) {
    Throw(env, "qscape_native.matmul: dimension exceeds the BLAS int range");
    return nullptr;
  }
  const int64_t out_count = batch * m * n;
  if (out_count == 0) return nullptr;
  const int64_t a_count = a_batch * m * k;
  const int64_t b_count = b_batch * k * n;
  float* a = FloatsAt(env, heap, a_off, a_count, "A");
  if (!a) return nullptr;
  float* b = FloatsAt(env, heap, b_off, b_count, "B");
  if (!b) return nullptr;
  float* out = FloatsAt(env, heap, out_off, out_count, "output");
  if (!out) return nullptr;
  const float* bias = nullptr;
  if (bias_off >= 0) {
    bias = FloatsAt(env, heap, bias_off, n, "bias");
    if (!bias) return nullptr;
  }
  // Seed the output with the bias (or zeros) and accumulate the product onto it (beta = 1).
  for (int64_t i = 0; i < batch * m; i++) {
    if (bias) {
      std::memcpy(out + i * n, bias, n * sizeof(float));
    } else {
      std::memset(out + i * n, 0, n * sizeof(float));
    }
  }
  if (k > 0) {
    const int lda = static_cast<int>(trans_a ? m : k);
    const int ldb = static_cast<int>(trans_b ? k : n);
    for (int64_t i = 0; i < batch; i++) {
      cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                  static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.f, a + (i % a_batch) * m * k,
                  lda > 0 ? lda : 1, b + (i % b_batch) * k * n, ldb > 0 ? ldb : 1, 1.f, out + i * m * n,
                  n > 0 ? static_cast<int>(n) : 1);
    }
  }
  ApplyActivation(out, out_count, static_cast<int>(activation), static_cast<float>(alpha));
  return nullptr;
}

// Reads `count` numbers from a Float64Array argument (offsets and sizes of a tensor list).
bool GetNumbers(napi_env env, napi_value value, const double** out, size_t* count, const char* name) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  napi_typedarray_type type;
  void* data = nullptr;
  size_t length = 0;
  if (!is_typed || napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_float64_array) {
    return Throw(env, std::string("qscape_native: argument ") + name + " must be a Float64Array");
  }
  *out = static_cast<const double*>(data);
  *count = length;
  return true;
}

bool GetArgs(napi_env env, napi_callback_info info, size_t expected, napi_value* argv, const char* fn) {
  size_t argc = expected;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != expected) {
    return Throw(env, std::string("qscape_native.") + fn + ": expected " + std::to_string(expected) + " arguments");
  }
  return true;
}

// reduceSum(heap, inOff, outOff, outer, inner, leading): the input is an [outer, inner] matrix;
// leading = 1 sums over the outer axis (out has inner floats, e.g. a bias gradient), leading = 0
// over the inner axis (out has outer floats, accumulated in double: these are long sums).
napi_value ReduceSum(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!GetArgs(env, info, 6, argv, "reduceSum")) return nullptr;
  Heap heap;
  if (!GetHeap(env, argv[0], &heap)) return nullptr;
  int64_t in_off = 0, out_off = 0, outer = 0, inner = 0, leading = 0;
  if (!GetInt(env, argv[1], &in_off, "inOff") || !GetInt(env, argv[2], &out_off, "outOff") ||
      !GetInt(env, argv[3], &outer, "outer") || !GetInt(env, argv[4], &inner, "inner") ||
      !GetInt(env, argv[5], &leading, "leading")) {
    return nullptr;
  }
  if (outer < 0 || inner < 0) {
    Throw(env, "qscape_native.reduceSum: negative size");
    return nullptr;
  }
  const int64_t out_count = leading ? inner : outer;
  const float* x = FloatsAt(env, heap, in_off, outer * inner, "input");
  if (!x) return nullptr;
  float* out = FloatsAt(env, heap, out_off, out_count, "output");
  if (!out) return nullptr;
  if (leading) {
    std::memset(out, 0, inner * sizeof(float));
    float* __restrict__ acc = out;
    for (int64_t i = 0; i < outer; i++) {
      const float* __restrict__ row = x + i * inner;
      for (int64_t j = 0; j < inner; j++) acc[j] += row[j];
    }
  } else {
    for (int64_t i = 0; i < outer; i++) {
      const float* row = x + i * inner;
      double sum = 0;
      for (int64_t j = 0; j < inner; j++) sum += row[j];
      out[i] = static_cast<float>(sum);
    }
  }
  return nullptr;
}

// The hot loops live in functions with restrict-qualified arguments so the compiler vectorizes
// them (the arguments never overlap: they are distinct tensors).
void ReluBackwardRows(int64_t rows, int64_t cols, const float* __restrict__ dy, const float* __restrict__ y,
                      float* __restrict__ dx, float* __restrict__ bias_grad) {
  std::memset(bias_grad, 0, cols * sizeof(float));
  for (int64_t i = 0; i < rows; i++) {
    const float* __restrict__ dy_row = dy + i * cols;
    const float* __restrict__ y_row = y + i * cols;
    float* __restrict__ dx_row = dx + i * cols;
    for (int64_t j = 0; j < cols; j++) {
      // dy·step(y) as a product (not a select) so that −0 and NaN come out as in tfjs.
      const float g = dy_row[j] * static_cast<float>(y_row[j] > 0.f);
      dx_row[j] = g;
      bias_grad[j] += g;
    }
  }
}

void AdamElements(int64_t size, const float* __restrict__ p, const float* __restrict__ g, const float* __restrict__ m,
                  const float* __restrict__ v, float* __restrict__ p_out, float* __restrict__ m_out,
                  float* __restrict__ v_out, float step_size, float beta1, float beta2, float one_minus_beta1,
                  float one_minus_beta2, float eps_hat, float grad_scale) {
  for (int64_t i = 0; i < size; i++) {
    const float gi = g[i] * grad_scale;
    const float mi = m[i] * beta1 + gi * one_minus_beta1;
    const float vi = v[i] * beta2 + (gi * gi) * one_minus_beta2;
    m_out[i] = mi;
    v_out[i] = vi;
    p_out[i] = p[i] - (mi * step_size) / (std::sqrt(vi) + eps_hat);
  }
}

void PolyakElements(int64_t size, const float* __restrict__ target, const float* __restrict__ source,
                    float* __restrict__ out, float take, float keep) {
  for (int64_t i = 0; i < size; i++) out[i] = source[i] * take + target[i] * keep;
}

// Four independent double accumulators: the sum keeps its precision and the loop is not one
// long chain of dependent additions.
double SumOfSquares(int64_t size, const float* __restrict__ x) {
  double lanes[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= size; i += 4) {
    for (int k = 0; k < 4; k++) lanes[k] += static_cast<double>(x[i + k]) * x[i + k];
  }
  for (; i < size; i++) lanes[0] += static_cast<double>(x[i]) * x[i];
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

// reluBackward(heap, dyOff, yOff, dxOff, biasGradOff, rows, cols): the backward pass of
// y = relu(x @ w + b) up to the matmuls, in one sweep: dx = dy·[y > 0] ([rows, cols]) and the bias
// gradient Σ_rows dx ([cols]).

void BiasGradRows(int64_t rows, int64_t cols, const float* __restrict__ dz, float* __restrict__ bias_grad) {
  std::memset(bias_grad, 0, cols * sizeof(float));
  for (int64_t i = 0; i < rows; i++) {
    const float* __restrict__ row = dz + i * cols;
    for (int64_t j = 0; j < cols; j++) bias_grad[j] += row[j];
  }
}

// dh·[h > 0] in place (a product, as in ReluBackwardRows, so −0 and NaN match tfjs).
void ReluMaskRows(int64_t count, const float* __restrict__ h, float* __restrict__ dh) {
  for (int64_t i = 0; i < count; i++) dh[i] = dh[i] * static_cast<float>(h[i] > 0.f);
}

// One dense layer on row-major [rows × in] input: out = act(in @ w + bias).
void DenseForward(int64_t rows, int64_t in, int64_t out_dim, const float* x, const float* w, const float* bias,
                  float* out, int activation) {
  for (int64_t i = 0; i < rows; i++) std::memcpy(out + i * out_dim, bias, out_dim * sizeof(float));
  if (in > 0 && rows > 0 && out_dim > 0) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rows), static_cast<int>(out_dim),
                static_cast<int>(in), 1.f, x, static_cast<int>(in), w, static_cast<int>(out_dim), 1.f, out,
                static_cast<int>(out_dim));
  }
  ApplyActivation(out, rows * out_dim, activation, 0.f);
}

// Reads an MLP description from a Float64Array: [layers, rows, dims[0..layers]] followed by
// offsets. Returns false (with a JS error) when the sizes are not sane.
struct MlpShape {
  int64_t layers = 0;
  int64_t rows = 0;
  const double* dims = nullptr;
  const double* offsets = nullptr;
  size_t offset_count = 0;
  int64_t dim(int64_t i) const { return static_cast<int64_t>(dims[i]); }
};

bool GetMlpShape(napi_env env, const double* list, size_t count, const char* fn, MlpShape* shape) {
  if (count < 2) return Throw(env, std::string("qscape_native.") + fn + ": list too short");
  shape->layers = static_cast<int64_t>(list[0]);
  shape->rows = static_cast<int64_t>(list[1]);
  if (shape->layers < 1 || shape->rows < 0 || count < static_cast<size_t>(3 + shape->layers)) {
    return Throw(env, std::string("qscape_native.") + fn + ": bad layer count or rows");
  }
  shape->dims = list + 2;
  for (int64_t i = 0; i <= shape->layers; i++) {
    if (shape->dim(i) < 1 || shape->dim(i) > INT32_MAX) {
      return Throw(env, std::string("qscape_native.") + fn + ": bad layer width");
    }
  }
  shape->offsets = list + 3 + shape->layers;
  shape->offset_count = count - 3 - shape->layers;
  return true;
}

// mlpForward(heap, list, outputActivation): a ReLU MLP in one call.
// list = [layers, rows, dims[0..layers], xOff, (wOff, bOff, outOff) per layer]; the out of layer
// l < layers−1 is the hidden activation h(l+1) (kept for the backward pass), the last is y.
napi_value MlpForward(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!GetArgs(env, info, 3, argv, "mlpForward")) return nullptr;
  Heap heap;
  if (!GetHeap(env, argv[0], &heap)) return nullptr;
  const double* list = nullptr;
  size_t count = 0;
  if (!GetNumbers(env, argv[1], &list, &count, "list")) return nullptr;
  int64_t output_activation = 0;
  if (!GetInt(env, argv[2], &output_activation, "outputActivation")) return nullptr;
  MlpShape s;
  if (!GetMlpShape(env, list, count, "mlpForward", &s)) return nullptr;
  if (s.offset_count != static_cast<size_t>(1 + 3 * s.layers)) {
    Throw(env, "qscape_native.mlpForward: expected x plus 3 offsets per layer");
    return nullptr;
  }
  const auto off = [&](int64_t i) { return static_cast<int64_t>(s.offsets[i]); };
  // Check every range before computing anything.
  const float* x = FloatsAt(env, heap, off(0), s.rows * s.dim(0), "x");
  if (!x) return nullptr;
  for (int64_t l = 0; l < s.layers; l++) {
    if (!FloatsAt(env, heap, off(1 + 3 * l), s.dim(l) * s.dim(l + 1), "weight") ||
        !FloatsAt(env, heap, off(2 + 3 * l), s.dim(l + 1), "bias") ||
        !FloatsAt(env, heap, off(3 + 3 * l), s.rows * s.dim(l + 1), "layer output")) {
      return nullptr;
    }
  }
  const float* in = x;
  for (int64_t l = 0; l < s.layers; l++) {
    float* out = reinterpret_cast<float*>(heap.base + off(3 + 3 * l));
    DenseForward(s.rows, s.dim(l), s.dim(l + 1), in, reinterpret_cast<const float*>(heap.base + off(1 + 3 * l)),
                 reinterpret_cast<const float*>(heap.base + off(2 + 3 * l)), out,
                 l + 1 < s.layers ? kRelu : static_cast<int>(output_activation));
    in = out;
  }
  return nullptr;
}

// mlpBackward(heap, list): gradients of a ReLU MLP with a linear output, given dy = ∂L/∂y.
// list = [layers, rows, dims[0..layers], dyOff, xOff, hOff per hidden layer (layers−1), wOff per
// layer, dxOff, (dwOff, dbOff) per layer]; dxOff < 0 skips the input gradient, dwOff < 0 skips
// all parameter gradients (a frozen network that only passes gradients through).
napi_value MlpBackward(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!GetArgs(env, info, 2, argv, "mlpBackward")) return nullptr;
  Heap heap;
  if (!GetHeap(env, argv[0], &heap)) return nullptr;
  const double* list = nullptr;
  size_t count = 0;
  if (!GetNumbers(env, argv[1], &list, &count, "list")) return nullptr;
  MlpShape s;
  if (!GetMlpShape(env, list, count, "mlpBackward", &s)) return nullptr;
  const int64_t L = s.layers;
  if (s.offset_count != static_cast<size_t>(2 + (L - 1) + L + 1 + 2 * L)) {
    Throw(env, "qscape_native.mlpBackward: wrong number of offsets");
    return nullptr;
  }
  const auto off = [&](int64_t i) { return static_cast<int64_t>(s.offsets[i]); };
  const int64_t h_base = 2, w_base = 2 + (L - 1), dx_index = w_base + L, grad_base = dx_index + 1;
  const bool want_dx = off(dx_index) >= 0;
  const bool want_params = off(grad_base) >= 0;
  const int64_t rows = s.rows;
  if (!FloatsAt(env, heap, off(0), rows * s.dim(L), "dy") || !FloatsAt(env, heap, off(1), rows * s.dim(0), "x")) {
    return nullptr;
  }
  for (int64_t l = 0; l < L; l++) {
    if (!FloatsAt(env, heap, off(w_base + l), s.dim(l) * s.dim(l + 1), "weight")) return nullptr;
    if (l > 0 && !FloatsAt(env, heap, off(h_base + l - 1), rows * s.dim(l), "hidden activation")) return nullptr;
    if (want_params && (!FloatsAt(env, heap, off(grad_base + 2 * l), s.dim(l) * s.dim(l + 1), "weight gradient") ||
                        !FloatsAt(env, heap, off(grad_base + 2 * l + 1), s.dim(l + 1), "bias gradient"))) {
      return nullptr;
    }
  }
  if (want_dx && !FloatsAt(env, heap, off(dx_index), rows * s.dim(0), "input gradient")) return nullptr;
  const auto at = [&](int64_t index) { return reinterpret_cast<float*>(heap.base + off(index)); };

  int64_t widest = 0;
  for (int64_t l = 0; l <= L; l++) widest = s.dim(l) > widest ? s.dim(l) : widest;
  // Scratch for the pre-activation gradients dz (native memory, never the WASM heap).
  static std::vector<float> scratch_a, scratch_b;
  scratch_a.resize(static_cast<size_t>(rows * widest));
  scratch_b.resize(static_cast<size_t>(rows * widest));
  const float* dz = at(0);
  for (int64_t l = L - 1; l >= 0; l--) {
    const int64_t in = s.dim(l), out = s.dim(l + 1);
    const float* layer_in = l == 0 ? at(1) : at(h_base + l - 1);
    const float* w = at(w_base + l);
    if (want_params) {
      float* dw = at(grad_base + 2 * l);
      float* db = at(grad_base + 2 * l + 1);
      std::memset(dw, 0, in * out * sizeof(float));
      if (rows > 0) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(in), static_cast<int>(out),
                    static_cast<int>(rows), 1.f, layer_in, static_cast<int>(in), dz, static_cast<int>(out), 1.f, dw,
                    static_cast<int>(out));
      }
      BiasGradRows(rows, out, dz, db);
    }
    if (l == 0 && !want_dx) break;
    float* dh = l == 0 ? at(dx_index) : (dz == scratch_a.data() ? scratch_b.data() : scratch_a.data());
    std::memset(dh, 0, rows * in * sizeof(float));
    if (rows > 0) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows), static_cast<int>(in),
                  static_cast<int>(out), 1.f, dz, static_cast<int>(out), w, static_cast<int>(out), 1.f, dh,
                  static_cast<int>(in));
    }
    if (l > 0) {
      ReluMaskRows(rows * in, at(h_base + l - 1), dh);
      dz = dh;
    }
  }
  return nullptr;
}

napi_value ReluBackward(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!GetArgs(env, info, 7, argv, "reluBackward")) return nullptr;
  Heap heap;
  if (!GetHeap(env, argv[0], &heap)) return nullptr;
  int64_t v[6];
  static const char* names[] = {"dyOff", "yOff", "dxOff", "biasGradOff", "rows", "cols"};
  for (int i = 0; i < 6; i++) {
    if (!GetInt(env, argv[i + 1], &v[i], names[i])) return nullptr;
  }
  const int64_t rows = v[4], cols = v[5];
  if (rows < 0 || cols < 0) {
    Throw(env, "qscape_native.reluBackward: negative size");
    return nullptr;
  }
  const float* dy = FloatsAt(env, heap, v[0], rows * cols, "dy");
  const float* y = dy ? FloatsAt(env, heap, v[1], rows * cols, "y") : nullptr;
  float* dx = y ? FloatsAt(env, heap, v[2], rows * cols, "dx") : nullptr;
  float* bias_grad = dx ? FloatsAt(env, heap, v[3], cols, "bias gradient") : nullptr;
  if (!bias_grad) return nullptr;
  ReluBackwardRows(rows, cols, dy, y, dx, bias_grad);
  return nullptr;
}

// sumSquares(heap, list) → number: Σ x² over every tensor in list = [offset, size]*, accumulated in
// double (a global gradient norm for clipping and the finiteness check).
napi_value SumSquares(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!GetArgs(env, info, 2, argv, "sumSquares")) return nullptr;
  Heap heap;
  if (!GetHeap(env, argv[0], &heap)) return nullptr;
  const double* list = nullptr;
  size_t count = 0;
  if (!GetNumbers(env, argv[1], &list, &count, "list")) return nullptr;
  if (count % 2 != 0) {
    Throw(env, "qscape_native.sumSquares: list must hold [offset, size] pairs");
    return nullptr;
  }
  double total = 0;
  for (size_t t = 0; t < count; t += 2) {
    const int64_t size = static_cast<int64_t>(list[t + 1]);
    const float* x = FloatsAt(env, heap, static_cast<int64_t>(list[t]), size, "tensor");
    if (!x) return nullptr;
    total += SumOfSquares(size, x);
  }
  napi_value result;
  napi_create_double(env, total, &result);
  return result;
}

// adam(heap, list, stepSize, beta1, beta2, epsHat, gradScale): for each parameter in
// list = [param, grad, m, v, paramOut, mOut, vOut, size]* (byte offsets, element count):
//   g = gradScale·grad;  m' = β1·m + (1−β1)·g;  v' = β2·v + (1−β2)·g²
//   param' = param − stepSize·m' / (√v' + epsHat)
// The same float32 operations, in the same order, as @qscape/core's Adam.
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!GetArgs(env, info, 7, argv, "adam")) return nullptr;
  Heap heap;
  if (!GetHeap(env, argv[0], &heap)) return nullptr;
  const double* list = nullptr;
  size_t count = 0;
  if (!GetNumbers(env, argv[1], &list, &count, "list")) return nullptr;
  double hyper[5];
  static const char* names[] = {"stepSize", "beta1", "beta2", "epsHat", "gradScale"};
  for (int i = 0; i < 5; i++) {
    if (!GetFloat(env, argv[i + 2], &hyper[i], names[i])) return nullptr;
  }
  if (count % 8 != 0) {
    Throw(env, "qscape_native.adam: list must hold 8 numbers per parameter");
    return nullptr;
  }
  const float step_size = static_cast<float>(hyper[0]), beta1 = static_cast<float>(hyper[1]),
              beta2 = static_cast<float>(hyper[2]), eps_hat = static_cast<float>(hyper[3]),
              grad_scale = static_cast<float>(hyper[4]);
  const float one_minus_beta1 = static_cast<float>(1 - hyper[1]), one_minus_beta2 = static_cast<float>(1 - hyper[2]);
  // Check every range before writing anything, so a bad entry throws with no output half-written.
  for (size_t t = 0; t < count; t += 8) {
    for (int j = 0; j < 7; j++) {
      if (!FloatsAt(env, heap, static_cast<int64_t>(list[t + j]), static_cast<int64_t>(list[t + 7]), "adam tensor")) {
        return nullptr;
      }
    }
  }
  auto at = [&](size_t index) { return reinterpret_cast<float*>(heap.base + static_cast<int64_t>(list[index])); };
  for (size_t t = 0; t < count; t += 8) {
    AdamElements(static_cast<int64_t>(list[t + 7]), at(t), at(t + 1), at(t + 2), at(t + 3), at(t + 4), at(t + 5),
                 at(t + 6), step_size, beta1, beta2, one_minus_beta1, one_minus_beta2, eps_hat, grad_scale);
  }
  return nullptr;
}

// polyak(heap, list, tau): out = τ·source + (1−τ)·target for list = [target, source, out, size]*.
napi_value Polyak(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!GetArgs(env, info, 3, argv, "polyak")) return nullptr;
  Heap heap;
  if (!GetHeap(env, argv[0], &heap)) return nullptr;
  const double* list = nullptr;
  size_t count = 0;
  double tau = 0;
  if (!GetNumbers(env, argv[1], &list, &count, "list") || !GetFloat(env, argv[2], &tau, "tau")) return nullptr;
  if (count % 4 != 0) {
    Throw(env, "qscape_native.polyak: list must hold 4 numbers per tensor");
    return nullptr;
  }
  const float keep = static_cast<float>(1 - tau), take = static_cast<float>(tau);
  for (size_t t = 0; t < count; t += 4) {
    const int64_t size = static_cast<int64_t>(list[t + 3]);
    const float* target = FloatsAt(env, heap, static_cast<int64_t>(list[t]), size, "target");
    const float* source = target ? FloatsAt(env, heap, static_cast<int64_t>(list[t + 1]), size, "source") : nullptr;
    float* out = source ? FloatsAt(env, heap, static_cast<int64_t>(list[t + 2]), size, "output") : nullptr;
    if (!out) return nullptr;
    PolyakElements(size, target, source, out, take, keep);
  }
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t threads = 0;
  if (argc != 1 || !GetInt(env, argv[0], &threads, "threads")) return nullptr;
  if (threads < 1 || threads > 1024) {
    Throw(env, "qscape_native.setThreads: threads must be between 1 and 1024");
    return nullptr;
  }
  openblas_set_num_threads(static_cast<int>(threads));
  return nullptr;
}

napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_int32(env, openblas_get_num_threads(), &result);
  return result;
}

napi_value BlasInfo(napi_env env, napi_callback_info) {
  std::string text = std::string(openblas_get_config()) + " core=" + openblas_get_corename();
  napi_value result;
  napi_create_string_utf8(env, text.c_str(), text.size(), &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"matmul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduceSum", nullptr, ReduceSum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluBackward", nullptr, ReluBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumSquares", nullptr, SumSquares, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, AdamUpdate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mlpForward", nullptr, MlpForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mlpBackward", nullptr, MlpBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"polyak", nullptr, Polyak, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"blasInfo", nullptr, BlasInfo, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
