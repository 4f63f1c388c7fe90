import { readFileSync } from 'node:fs';
import { DockerfileParser, type Instruction, ModifiableInstruction, PropertyInstruction } from 'dockerfile-ast';

/** One step of a stage, as the test performs it on the host. */
export type Step =
  | { kind: 'workdir'; path: string }
  | { kind: 'copy'; from: string | undefined; sources: string[]; destination: string }
  | { kind: 'run'; command: string };

/** A stage of a Dockerfile: its steps in order, and what the image it makes declares. */
export interface Stage {
  name: string | undefined;
  image: string;
  steps: Step[];
  env: Record<string, string>;
  user: string | undefined;
  volumes: string[];
  exposed: string[];
  /** HEALTHCHECK's options (interval, …) and its exec-form command. */
  healthcheck: { options: Record<string, string>; command: string[] } | undefined;
  stopSignal: string | undefined;
  /** CMD, exec form. */
  command: string[] | undefined;
}

function flags(instruction: Instruction): Record<string, string> {
  if (!(instruction instanceof ModifiableInstruction)) return {};
  return Object.fromEntries(instruction.getFlags().map((flag) => [flag.getName(), flag.getValue() ?? '']));
}

/** The instruction's exec form (`["node", "x.js"]`); a shell form is refused, as it would put a shell in between. */
function execForm(keyword: string, text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`${keyword} must use the exec form (a JSON array of strings), got: ${text}`);
  }
  return parsed;
}

/** Reads a Dockerfile with dockerfile-ast; global ARGs are substituted into FROM. */
export function readDockerfile(path: string): Stage[] {
  const dockerfile = DockerfileParser.parse(readFileSync(path, 'utf8'));
  const args = Object.fromEntries(
    dockerfile.getInitialARGs().map((arg) => [arg.getProperty()?.getName() ?? '', arg.getProperty()?.getValue() ?? '']),
  );
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const content = instruction.getArgumentsContent() ?? '';
    const words = instruction.getArguments().map((argument) => argument.getValue());
    if (keyword === 'ARG' && stages.length === 0) continue;
    if (keyword === 'FROM') {
      const image = (words[0] ?? '').replace(/\$\{(\w+)\}/g, (_all, name: string) => args[name] ?? '');
      const name = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined;
      stages.push({
        name,
        image,
        steps: [],
        env: {},
        user: undefined,
        volumes: [],
        exposed: [],
        healthcheck: undefined,
        stopSignal: undefined,
        command: undefined,
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${keyword} before FROM`);
    switch (keyword) {
      case 'WORKDIR':
        stage.steps.push({ kind: 'workdir', path: content.trim() });
        break;
      case 'COPY': {
        const withoutFlags = words.filter((word) => !word.startsWith('--'));
        stage.steps.push({
          kind: 'copy',
          from: flags(instruction).from,
          sources: withoutFlags.slice(0, -1),
          destination: withoutFlags.at(-1) ?? '',
        });
        break;
      }
      case 'RUN':
        stage.steps.push({ kind: 'run', command: content.replace(/\s+/g, ' ').trim() });
        break;
      case 'ENV':
        if (!(instruction instanceof PropertyInstruction)) throw new Error('ENV without properties');
        for (const property of instruction.getProperties()) stage.env[property.getName()] = property.getValue() ?? '';
        break;
      case 'USER':
        stage.user = content.trim();
        break;
      case 'VOLUME':
        stage.volumes.push(...words);
        break;
      case 'EXPOSE':
        stage.exposed.push(...words);
        break;
      case 'HEALTHCHECK': {
        const commandText = content.replace(/^(--\S+\s+)*CMD\s+/, '');
        stage.healthcheck = { options: flags(instruction), command: execForm(keyword, commandText) };
        break;
      }
      case 'STOPSIGNAL':
        stage.stopSignal = content.trim();
        break;
      case 'CMD':
        stage.command = execForm(keyword, content);
        break;
      default:
        throw new Error(`the host replay does not know ${keyword}; teach test/helpers/dockerfile.ts`);
    }
  }
  return stages;
}
