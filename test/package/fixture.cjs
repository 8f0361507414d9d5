// Required by test/package/import.test.ts in a child process: the built package as CommonJS.
const root = require('aquera-provisioner');
const testing = require('aquera-provisioner/testing');

const out = {
  format: 'cjs',
  root: Object.keys(root).sort(),
  testing: Object.keys(testing).sort(),
  validationErrorName: new root.ScimValidationError('User', [{ path: ['id'], message: 'Required' }]).name,
};
process.stdout.write(JSON.stringify(out));
