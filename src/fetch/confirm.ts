// src/fetch/: fetching ACIs by name: discovery, and signatures checked against the trust store.
import { createInterface } from 'node:readline/promises';

/** A yes typed on the terminal; anything else, or no terminal, is a no. */
export async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(`${question} (yes/no) `)).trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}
