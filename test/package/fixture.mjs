// Imported by test/package/import.test.ts in a child process: the built package as ESM.
import * as root from 'aquera-provisioner';
import * as testing from 'aquera-provisioner/testing';

const out = {
  format: 'esm',
  root: Object.keys(root).sort(),
  testing: Object.keys(testing).sort(),
  validationErrorName: new root.ScimValidationError('User', [{ path: ['id'], message: 'Required' }]).name,
};
process.stdout.write(JSON.stringify(out));
