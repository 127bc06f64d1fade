import { describe, expect, it } from 'vitest';
import { plainReason, splitDeviceReasons } from './device-reason';

describe('device reasons in plain words', () => {
  it('puts a C++ assertion behind the plain sentence, never as the reason', () => {
    const raw =
      '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:172 void onnxruntime::webgpu::WebGpuContext::Initialize() Assertion failed: adapter != nullptr';
    expect(plainReason('webgpu', raw)).toEqual({
      summary: 'WebGPU failed while starting (its driver reported an internal error).',
      detail: raw,
    });
  });

  it('names missing CUDA libraries, software renderers and memory', () => {
    const cuda =
      "Cannot create a 'cuda' session: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library libonnxruntime_providers_cuda.so";
    expect(plainReason('cuda', cuda).summary).toMatch(/CUDA 12 and cuDNN 9 libraries are not installed/);
    expect(plainReason('cuda', cuda).detail).toBe(cuda);
    expect(
      plainReason('webgpu', "WebGPU's only adapter here is a software rasterizer (Mesa lavapipe)").summary,
    ).toMatch(/software renderer, about 40x slower/);
    expect(plainReason('cuda', 'CUDA failure 2: out of memory').summary).toBe(
      'The NVIDIA GPU (CUDA) ran out of memory.',
    );
  });

  it('keeps a reason already written for people, without a disclosure', () => {
    const measured = 'measured 41.2 samples/s against the CPU’s 55.0 on this run’s shape.';
    expect(plainReason('webgpu', measured)).toEqual({ summary: measured, detail: null });
  });

  it("splits a run's stored reasons by device", () => {
    expect(splitDeviceReasons('webgpu: slow; or not; cuda: Failed to load shared library')).toEqual([
      { device: 'webgpu', reason: 'slow; or not' },
      { device: 'cuda', reason: 'Failed to load shared library' },
    ]);
  });
});
