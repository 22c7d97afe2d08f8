import { stringify as yamlStringify, parse as yamlParse } from 'yaml';
import { def, type FuncDef } from '../builtins.js';
import { fromYamlValue, toJsonText, toYamlValue } from '../values.js';
import { strval } from './convert.js';

/** How Helm's toYaml writes (sigs.k8s.io/yaml over yaml.v2): sorted keys, unindented lists, no folding. */
const YAML_OUT = { sortMapEntries: true, indentSeq: false, lineWidth: 0, minContentWidth: 0 } as const;

/** Helm's JSON and YAML functions, and Sprig's JSON ones. */
export const HELM: Record<string, FuncDef> = {
  toJson: def((v) => toJsonText(v, false), 1),
  toPrettyJson: def((v) => toJsonText(v, true), 1),
  toRawJson: def((v) => toJsonText(v, false, false), 1),
  fromJson: def((s) => {
    try {
      return fromYamlValue(JSON.parse(strval(s)) as unknown);
    } catch (err) {
      return { Error: (err as Error).message };
    }
  }, 1),
  toYaml: def((v) => yamlStringify(toYamlValue(v), YAML_OUT).replace(/\n$/, ''), 1),
  fromYaml: def((s) => {
    try {
      return fromYamlValue(yamlParse(strval(s), { intAsBigInt: true }) as unknown) ?? {};
    } catch (err) {
      return { Error: (err as Error).message };
    }
  }, 1),
  fromYamlArray: def((s) => {
    const v = fromYamlValue(yamlParse(strval(s), { intAsBigInt: true }) as unknown);
    return Array.isArray(v) ? v : [];
  }, 1),
};
