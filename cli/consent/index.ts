/**
 * `ehrchain consent <command>`: the consent contract by name instead of hex arguments
 * (docs/tutorial.md walks through it). One file per kind of user: admin, patient, requests, other.
 */

import type { Command } from 'commander';
import { addAdminCommands } from './admin.js';
import { addImportCommand } from './import.js';
import { addOtherCommands } from './other.js';
import { addPatientCommands } from './patient.js';
import { addRequestCommands } from './requests.js';
import { addConsentWatchCommand } from './watch.js';

/** Registers `consent` and its sub-commands. */
export function addConsentCommands(program: Command): void {
  const consent = program
    .command('consent')
    .description('register actors, grant, request and approve access, attest, read the audit trail');
  addAdminCommands(consent);
  addPatientCommands(consent);
  addImportCommand(consent);
  addRequestCommands(consent);
  addOtherCommands(consent);
  addConsentWatchCommand(program);
}
