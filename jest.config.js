/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
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
