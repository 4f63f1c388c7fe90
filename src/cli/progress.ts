import cliProgress from 'cli-progress';
import type { CliIo } from './output.js';

export interface Progress {
  update(done: number, label: string): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; nothing otherwise (logs and pipes stay clean). */
export function progressBar(io: CliIo, total: number, unit: string): Progress {
  if (!io.stderrIsTty) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: io.progressStream,
      format: `{bar} {percentage}% | {value}/{total} ${unit} | {label}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { label: '' });
  return {
    update: (done, label) => bar.update(Math.min(done, Math.max(total, 1)), { label }),
    stop: () => bar.stop(),
  };
}
