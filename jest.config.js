/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  moduleFileExtensions: ['js', 'json', 'ts'],
  // Types are checked once by `npm run typecheck`; Jest only transpiles.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^nestjs-payment-webhooks/testing$': '<rootDir>/libs/webhooks/src/testing',
    '^nestjs-payment-webhooks$': '<rootDir>/libs/webhooks/src',
  },
  // The consumer fixtures are apps of their own, installed and run by .ci/consumer.sh.
  modulePathIgnorePatterns: ['<rootDir>/test/consumer'],
  testTimeout: 30000,
};
