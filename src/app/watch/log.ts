// One structured line per action: `time level msg key=value …`, or one JSON object per line with
// --log-format json (what log collectors parse).

export interface Sink {
  write(text: string): unknown;
}

export type LogFormat = 'text' | 'json';
export type Fields = Record<string, string | number | boolean | undefined>;

export interface ActionLog {
  info(msg: string, f?: Fields): void;
  warn(msg: string, f?: Fields): void;
  error(msg: string, f?: Fields): void;
}

function quote(v: string): string {
  return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
}

export function actionLog(sink: Sink, format: LogFormat, now: () => Date): ActionLog {
  const line = (level: string, msg: string, f: Fields = {}) => {
    const fields = Object.entries(f).filter(([, v]) => v !== undefined);
    const time = now().toISOString();
    if (format === 'json') sink.write(`${JSON.stringify({ time, level, msg, ...Object.fromEntries(fields) })}\n`);
    else sink.write(`${time} ${level.toUpperCase()} ${msg}${fields.map(([k, v]) => ` ${k}=${quote(String(v))}`).join('')}\n`);
  };
  return { info: (m, f) => line('info', m, f), warn: (m, f) => line('warn', m, f), error: (m, f) => line('error', m, f) };
}
