/**
 * Runs every gradient-rule check (float64 central differences on the CPU EP; float32 where ORT lacks a
 * float64 kernel) and ends with one line: `gradcheck: N rules, max relative error E`. Exits 1 on a failure.
 */
import { GRAD_RULES } from '../src-main/engine/autodiff';
import { allCases, type CheckResult, runCheck } from '../src-main/engine/autodiff/check';

async function main(): Promise<void> {
  const results: CheckResult[] = [];
  for (const c of allCases) {
    const r = await runCheck(c);
    results.push(r);
    console.log(
      `${r.ok ? 'ok  ' : 'FAIL'} ${r.relError.toExponential(2).padStart(9)} (tol ${r.tolerance.toExponential(0)})  ${r.name}`,
    );
  }
  const rules = new Set(results.map((r) => r.rule).filter((rule) => rule in GRAD_RULES));
  const missing = Object.keys(GRAD_RULES).filter((rule) => !rules.has(rule as keyof typeof GRAD_RULES));
  const failed = results.filter((r) => !r.ok);
  if (missing.length > 0) console.log(`rules without a check: ${missing.join(', ')}`);
  if (failed.length > 0) console.log(`${failed.length} check(s) failed: ${failed.map((r) => r.name).join('; ')}`);
  const maxError = Math.max(...results.map((r) => r.relError));
  for (const dtype of ['float64', 'float32'] as const) {
    const of = results.filter((r, i) => (allCases[i]!.dtype ?? 'float64') === dtype);
    console.log(
      `${dtype}: ${of.length} checks, max relative error ${Math.max(...of.map((r) => r.relError)).toExponential(2)}`,
    );
  }
  console.log(`gradcheck: ${rules.size} rules, max relative error ${maxError.toExponential(2)}`);
  if (failed.length > 0 || missing.length > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
