/**
 * The two gradient kernels @tensorflow/tfjs-backend-wasm 4.22 lacks, as plain JS kernels
 * registered for the 'wasm' backend:
 *
 * - `Conv2DBackpropFilter`: the weight gradient of every conv (Conv1D runs as a 1×W
 *   Conv2D), without which no conv model trains on wasm;
 * - `UnsortedSegmentSum`: the gradient of `gather`, i.e. of every Embedding layer.
 *
 * They read the wasm heap directly. The filter gradient rearranges its input in JS and
 * leaves the arithmetic to wasm's MatMul; the segment sum is a plain JS loop with float64
 * accumulators. Both match the cpu backend's reference kernels (checked to 5e-5 in
 * test/models/runtime.kernels.test.ts). Forward passes and every other gradient stay in
 * wasm's SIMD code, which is why training on wasm with these two is several times
 * faster than on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';

type TypedArray = Float32Array | Int32Array | Uint8Array;

/** The part of BackendWasm these kernels use (its class is not exported as a type we can import here). */
interface WasmBackendLike {
  typedArrayFromHeap(info: tf.TensorInfo): TypedArray;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: TypedArray): tf.TensorInfo;
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

function input(args: KernelArgs, name: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (!t) throw new Error(`kernel input '${name}' is missing`);
  return t;
}

/**
 * dW[wR, wC, d1, d2] = Σ_b,yR,yC x[b, yR·sH + wR − top, yC·sW + wC − left, d1] · dy[b, yR, yC, d2].
 *
 * Computed as one matrix product, dWᵀ = dyᵀ · patches ([Cout, M] × [M, fH·fW·Cin], with
 * M = batch·outH·outW and the patches built here in JS, im2col-style). The product runs
 * in wasm's own MatMul kernel (the same XNNPACK code as the forward pass), so this costs
 * little more than a forward conv.
 */
function conv2DBackpropFilter(args: KernelArgs): tf.Tensor {
  const backend = args.backend as WasmBackendLike;
  const x = input(args, 'x');
  const dy = input(args, 'dy');
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter (wasm/js) supports float32 only, got ${x.dtype}/${dy.dtype}`);
  }
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1,
    attrs.pad, attrs.dimRoundingMode, false, dataFormat,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
    filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const last = info.dataFormat === 'channelsLast';
  // Element strides of x in (batch, row, col, channel) order for either layout.
  const [xsB, xsR, xsC, xsD] = last
    ? [inHeight * inWidth * inChannels, inWidth * inChannels, inChannels, 1]
    : [inChannels * inHeight * inWidth, inWidth, 1, inHeight * inWidth];

  const rows = batchSize * outHeight * outWidth;
  const patchSize = filterHeight * filterWidth * inChannels;
  // patches[m, k]: m = (b·outH + yR)·outW + yC, k = (wR·fW + wC)·Cin + d1; zero where padded.
  const patches = new Float32Array(rows * patchSize);
  // Heap views go stale when wasm memory grows: read inputs before allocating tensors.
  const xv = backend.typedArrayFromHeap(x) as Float32Array;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let wR = 0; wR < filterHeight; wR++) {
        const xR = yR * strideHeight + wR - top;
        if (xR < 0 || xR >= inHeight) continue;
        for (let yC = 0; yC < outWidth; yC++) {
          const rowBase = ((b * outHeight + yR) * outWidth + yC) * patchSize;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth + wC - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xBase = b * xsB + xR * xsR + xC * xsC;
            const kBase = rowBase + (wR * filterWidth + wC) * inChannels;
            for (let d1 = 0; d1 < inChannels; d1++) patches[kBase + d1] = xv[xBase + d1 * xsD]!;
          }
        }
      }
    }
  }
  // dyᵀ as [Cout, M] (a copy: wrapping the kernel's input in a Tensor would let its
  // disposal free memory the caller still owns).
  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  const dyT = new Float32Array(outChannels * rows);
  const plane = outHeight * outWidth;
  for (let m = 0; m < rows; m++) {
    for (let d2 = 0; d2 < outChannels; d2++) {
      const src = last ? m * outChannels + d2 : (Math.floor(m / plane) * outChannels + d2) * plane + (m % plane);
      dyT[d2 * rows + m] = dyv[src]!;
    }
  }
  // dWᵀ = dyᵀ · patches ([Cout, K]); wasm's MatMul is fast only without transpose flags.
  const product = tf.tidy(() => tf.matMul(tf.tensor2d(dyT, [outChannels, rows]), tf.tensor2d(patches, [rows, patchSize])));
  const pv = product.dataSync() as Float32Array;
  product.dispose();
  const dW = new Float32Array(patchSize * outChannels);
  for (let d2 = 0; d2 < outChannels; d2++) {
    for (let k = 0; k < patchSize; k++) dW[k * outChannels + d2] = pv[d2 * patchSize + k]!;
  }
  return tf.tensor4d(dW, info.filterShape);
}

/**
 * dx = col2im(dy · Wᵀ): the input gradient of a conv as one [M, Cout] × [Cout, fH·fW·Cin]
 * matrix product in wasm's MatMul, then a JS scatter-add of the columns back into the
 * input's layout. wasm 4.22 has this kernel, but its direct loop is the slowest step of
 * Conv1D training (~3× this one), so {@link registerWasmGradientKernels} replaces it.
 */
function conv2DBackpropInput(args: KernelArgs): tf.Tensor {
  const backend = args.backend as WasmBackendLike;
  const dy = input(args, 'dy');
  const filter = input(args, 'filter');
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropInput (wasm/js) supports float32 only, got ${dy.dtype}/${filter.dtype}`);
  }
  const dataFormat = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1,
    attrs.pad, attrs.dimRoundingMode, false, dataFormat,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
    filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const last = info.dataFormat === 'channelsLast';
  const rows = batchSize * outHeight * outWidth;
  const patchSize = filterHeight * filterWidth * inChannels;

  const dyv = backend.typedArrayFromHeap(dy) as Float32Array;
  let dy2d: Float32Array;
  if (last) {
    dy2d = dyv.slice(0, rows * outChannels);
  } else {
    dy2d = new Float32Array(rows * outChannels);
    const plane = outHeight * outWidth;
    for (let b = 0; b < batchSize; b++) {
      for (let d2 = 0; d2 < outChannels; d2++) {
        for (let p = 0; p < plane; p++) dy2d[(b * plane + p) * outChannels + d2] = dyv[(b * outChannels + d2) * plane + p]!;
      }
    }
  }
  // Wᵀ as [Cout, K], transposed here: wasm's MatMul is much slower with transposeB.
  const wv = backend.typedArrayFromHeap(filter) as Float32Array;
  const wT = new Float32Array(outChannels * patchSize);
  for (let k = 0; k < patchSize; k++) {
    for (let d2 = 0; d2 < outChannels; d2++) wT[d2 * patchSize + k] = wv[k * outChannels + d2]!;
  }
  const cols = tf.tidy(() => tf.matMul(tf.tensor2d(dy2d, [rows, outChannels]), tf.tensor2d(wT, [outChannels, patchSize])));
  const colv = cols.dataSync() as Float32Array;
  cols.dispose();

  const [xsB, xsR, xsC, xsD] = last
    ? [inHeight * inWidth * inChannels, inWidth * inChannels, inChannels, 1]
    : [inChannels * inHeight * inWidth, inWidth, 1, inHeight * inWidth];
  const dx = new Float32Array(batchSize * inHeight * inWidth * inChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let wR = 0; wR < filterHeight; wR++) {
        const xR = yR * strideHeight + wR - top;
        if (xR < 0 || xR >= inHeight) continue;
        for (let yC = 0; yC < outWidth; yC++) {
          const colBase = ((b * outHeight + yR) * outWidth + yC) * patchSize;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth + wC - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xBase = b * xsB + xR * xsR + xC * xsC;
            const kBase = colBase + (wR * filterWidth + wC) * inChannels;
            for (let d1 = 0; d1 < inChannels; d1++) dx[xBase + d1 * xsD]! += colv[kBase + d1]!;
          }
        }
      }
    }
  }
  return tf.tensor4d(dx, attrs.inputShape);
}

/** out[segmentIds[i], ...] += x[i, ...]; ids outside [0, numSegments) are dropped, as in TensorFlow. */
function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = input(args, 'x');
  const ids = input(args, 'segmentIds');
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm/js) supports float32 and int32, got ${x.dtype}`);
  }
  const idCount = tf.util.sizeFromShape(ids.shape);
  const inner = idCount === 0 ? 0 : tf.util.sizeFromShape(x.shape) / idCount;
  const outShape = [numSegments, ...x.shape.slice(ids.shape.length)];
  const xv = backend.typedArrayFromHeap(x);
  const idv = backend.typedArrayFromHeap(ids);
  const acc = new Float64Array(numSegments * inner);
  for (let i = 0; i < idCount; i++) {
    const s = idv[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) acc[dst + j]! += xv[src + j]!;
  }
  const out = x.dtype === 'float32' ? Float32Array.from(acc) : Int32Array.from(acc);
  return backend.makeOutput(outShape, x.dtype, undefined, out);
}

/** Kernel names this module provides for the wasm backend. */
export const WASM_GRADIENT_KERNELS = ['Conv2DBackpropFilter', 'UnsortedSegmentSum'] as const;

/** wasm kernels this module replaces with faster ones (same results, checked against cpu). */
export const WASM_REPLACED_KERNELS = ['Conv2DBackpropInput'] as const;

const registeredHere = new Set<string>();

/**
 * Registers the missing gradient kernels for the 'wasm' backend and replaces its slow
 * conv input gradient. Idempotent; a missing kernel that the installed wasm backend
 * already has (a future version) is left alone.
 * Call before training on wasm; {@link initBackend} does it for you.
 * @returns the kernel names registered by this call.
 */
export function registerWasmGradientKernels(): string[] {
  const registered: string[] = [];
  const kernels: Array<[string, (args: KernelArgs) => tf.TensorInfo | tf.Tensor, boolean]> = [
    ['Conv2DBackpropFilter', conv2DBackpropFilter, false],
    ['UnsortedSegmentSum', unsortedSegmentSum, false],
    ['Conv2DBackpropInput', conv2DBackpropInput, true],
  ];
  for (const [kernelName, fn, replace] of kernels) {
    if (registeredHere.has(kernelName)) continue;
    if (tf.getKernel(kernelName, 'wasm')) {
      if (!replace) continue;
      tf.unregisterKernel(kernelName, 'wasm');
    }
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: fn as unknown as tf.KernelFunc });
    registeredHere.add(kernelName);
    registered.push(kernelName);
  }
  return registered;
}
