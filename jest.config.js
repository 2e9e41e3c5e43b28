/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Closes every server a test file started, and what it registered with onTeardown, even
  // when its setup failed or timed out (test/support/teardown.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/teardown.ts'],
  // Tests and hooks on a loaded 2-core machine: Azurite, Chromium and the sample runtime can
  // take tens of seconds to start there. No test asserts a duration; this only ends a hang.
  testTimeout: 120_000,
  // The Azure Functions host provides @azure/functions-core at run time; tests use a stub
  // that records registrations (test/api/registration.test.ts).
  // office-addin-mock requires office-addin-manifest only for its OfficeApp enum; the real
  // module pulls an ESM-only package jest cannot load here.
  moduleNameMapper: {
    '^@azure/functions-core$': '<rootDir>/test/support/stubs/functions-core.js',
    '^office-addin-manifest$': '<rootDir>/test/support/stubs/office-addin-manifest.js',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
