import type { Command } from '../command.js';
import { buildCommand, imageCommand } from './build.js';
import { scriptCommand } from './script.js';
import { runCommand } from './run.js';
import { configCommand, versionCommand } from './config.js';
import { diagnoseCommand } from './diagnose.js';
import { exportCommand } from './export.js';
import { fsckCommand } from './fsck.js';
import { gcCommand, pruneCommand } from './gc.js';
import { containersCommand, rmCommand } from './containers.js';
import { tagCommand, untagCommand } from './tag.js';
import { destroyImageCommand, imageManifestCommand, imagesCommand, rmiCommand, showImageCommand } from './images.js';
import { importCommand } from './import.js';
import { discoveryPageCommand, fetchCommand, signCommand, trustCommand, untrustCommand } from './fetch.js';
import { makeaciCommand } from './makeaci.js';
import { enterCommand, metroCommand } from './metro.js';
import { packageCommand, runtimeCommand } from './runtime.js';
import { uploadCommand, uploadServerCommand } from './upload.js';
import { pullCommand, pushCommand } from './registry.js';
import { importFlatpakCommand } from './flatpak.js';
import { portableCommand } from './portable.js';
import { unshareCommand } from './unshare.js';

/** Every command, in the order `jetpack help` lists them. */
export const COMMANDS: Command[] = [
  fetchCommand,
  importCommand,
  trustCommand,
  untrustCommand,
  signCommand,
  discoveryPageCommand,
  makeaciCommand,
  buildCommand,
  scriptCommand,
  runCommand,
  imagesCommand,
  showImageCommand,
  imageManifestCommand,
  exportCommand,
  pushCommand,
  pullCommand,
  importFlatpakCommand,
  portableCommand,
  tagCommand,
  untagCommand,
  destroyImageCommand,
  rmiCommand,
  containersCommand,
  rmCommand,
  fsckCommand,
  gcCommand,
  pruneCommand,
  metroCommand,
  diagnoseCommand,
  enterCommand,
  packageCommand,
  runtimeCommand,
  uploadCommand,
  uploadServerCommand,
  unshareCommand,
  configCommand,
  versionCommand,
  imageCommand,
];
