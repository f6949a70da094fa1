/**
 * Command-line arguments of the form `--key value` (and `--flag` for booleans). Unknown flags are
 * an error that lists the valid ones.
 */

export interface FlagSpec {
  description: string;
  /** A boolean flag takes no value. */
  boolean?: boolean;
  required?: boolean;
  default?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export class ArgsError extends Error {
  override name = 'ArgsError';
}

export function usage(command: string, specs: FlagSpecs): string {
  const lines = Object.entries(specs).map(([k, s]) => {
    const flag = s.boolean ? `--${k}` : `--${k} <value>`;
    const extra = s.required ? ' (required)' : s.default !== undefined ? ` (default ${s.default})` : '';
    return `  ${flag.padEnd(24)} ${s.description}${extra}`;
  });
  return [`usage: ${command} [options]`, ...lines].join('\n');
}

/** Parses argv (without node and script); returns values by flag name, booleans as 'true'. */
export function parseArgs(argv: string[], specs: FlagSpecs): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const valid = () => Object.keys(specs).map((k) => `--${k}`).join(', ');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new ArgsError(`unexpected argument "${a}"; options are ${valid()}`);
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const spec = specs[key];
    if (!spec) throw new ArgsError(`unknown option "--${key}"; valid options are ${valid()}`);
    if (key in out) throw new ArgsError(`option --${key} is given twice; give it once`);
    if (spec.boolean) {
      if (eq > 0) throw new ArgsError(`option --${key} takes no value, got "${a.slice(eq + 1)}"`);
      out[key] = 'true';
    } else if (eq > 0) {
      out[key] = a.slice(eq + 1);
    } else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new ArgsError(`option --${key} needs a value: --${key} <value>`);
      out[key] = v;
      i++;
    }
  }
  for (const [k, s] of Object.entries(specs)) {
    if (out[k] === undefined && s.default !== undefined) out[k] = s.default;
    if (out[k] === undefined && s.required && out.help === undefined) throw new ArgsError(`missing required option --${k} (${s.description})`);
  }
  return out;
}
