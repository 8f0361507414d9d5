/**
 * `aquera-provisioner/testing`: tools for testing a provisioning integration without a real
 * SCIM service.
 *
 * @packageDocumentation
 */
export const TESTING_ENTRY = 'aquera-provisioner/testing';
