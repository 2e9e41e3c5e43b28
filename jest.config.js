/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The Azure Functions host provides @azure/functions-core at run time; tests use a stub
  // that records registrations (test/api/registration.test.ts).
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/test/support/stubs/functions-core.js' },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
