'use strict';
/**
 * Ends the jest run with one plain line, "Tests: N passed, N failed", that CI systems
 * which read closing lines understand (jest's own summary says "N passed, N total").
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(
      `Tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
  }
}
module.exports = SummaryReporter;
