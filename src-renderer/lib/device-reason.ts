/**
 * Why a device was not used, in plain words, with the provider's own text kept for a disclosure: onnxruntime
 * and GPU drivers answer with C++ assertions and library paths that mean nothing to most people.
 */

/** The plain sentence, and the provider's text when it says more than the sentence (null otherwise). */
export interface PlainReason {
  readonly summary: string;
  readonly detail: string | null;
}

const NAMES: Readonly<Record<string, string>> = {
  cpu: 'The CPU',
  cuda: 'The NVIDIA GPU (CUDA)',
  webgpu: 'WebGPU',
  dml: 'DirectML',
  coreml: 'Core ML',
};

// Source locations, C++ scopes and assertion words: the marks of a message written for developers.
const INTERNAL = /\.(?:cc|cpp|h|hpp):\d+|::|Assertion|assert|Check failed|terminate called|SIGSEGV|\bat 0x[0-9a-f]+/i;

/** Turns a provider's reason for not using `device` into one plain sentence, keeping the original as detail. */
export function plainReason(device: string, reason: string): PlainReason {
  const raw = reason.trim();
  const name = NAMES[device] ?? device;
  const plain = (summary: string): PlainReason => ({ summary, detail: summary === raw ? null : raw });
  if (/software rasteri[sz]er|lavapipe|swiftshader|llvmpipe/i.test(raw))
    return plain(`${name} here runs on a software renderer, about 40x slower than the CPU, so it was not used.`);
  if (/out of memory|\bOOM\b|failed to allocate/i.test(raw)) return plain(`${name} ran out of memory.`);
  if (/failed to load (?:shared )?library|cannot open shared object|\.so(?:\.\d+)*\b|\.dll\b|cudnn|libcu/i.test(raw))
    return plain(
      device === 'cuda'
        ? `${name} cannot start: the CUDA 12 and cuDNN 9 libraries are not installed (see the README, "CUDA on Linux").`
        : `${name} cannot start: a library it needs is not installed.`,
    );
  if (
    /no (?:suitable |usable )?(?:gpu )?adapter|not supported|unsupported|not available|not compiled/i.test(raw) &&
    !INTERNAL.test(raw)
  )
    return plain(`${name} is not available on this machine.`);
  if (INTERNAL.test(raw)) return plain(`${name} failed while starting (its driver reported an internal error).`);
  // Already written for people (a measured rate, a note): keep it, shortened to its first sentence if long.
  const first = /^[^\n]*?[.;](?=\s|$)/.exec(raw)?.[0] ?? raw.split('\n')[0] ?? raw;
  return plain(first.length <= 200 ? first : `${first.slice(0, 197)}…`);
}

/** Splits a run's stored "device: reason; device: reason" into its parts. */
export function splitDeviceReasons(text: string): { readonly device: string; readonly reason: string }[] {
  return text.split(/;\s+(?=(?:cpu|cuda|webgpu|dml|coreml): )/).map((part) => {
    const at = part.indexOf(': ');
    return at < 0 ? { device: '', reason: part } : { device: part.slice(0, at), reason: part.slice(at + 2) };
  });
}
