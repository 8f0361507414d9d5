// Imported by test/package/import.test.ts in a child process: the built package as ESM.
import * as root from 'aquera-provisioner';
import * as sso from 'aquera-provisioner/sso';
import * as testing from 'aquera-provisioner/testing';

const out = {
  format: 'esm',
  root: Object.keys(root).sort(),
  testing: Object.keys(testing).sort(),
  sso: Object.keys(sso).sort(),
  ssoLink: sso.pingOneIdpInitiatedUrl({
    region: 'eu',
    environmentId: '2b7a3c4d-1111-4abc-8def-0123456789ab',
    spEntityId: 'urn:a b',
  }),
  ssoErrorName: new sso.SamlMetadataError('tooLarge', 'x').name,
  validationErrorName: new root.ScimValidationError('User', [{ path: ['id'], message: 'Required' }]).name,
};
process.stdout.write(JSON.stringify(out));
