// Stands in for @azure/functions-core (provided by the Azure Functions host at run time)
// so tests can see exactly what the app registers: name, trigger binding, handler.
'use strict';
const registered = [];
module.exports = {
  registered,
  setProgrammingModel() {},
  registerFunction(metadata, callback) {
    registered.push({ metadata, callback });
    return { dispose() {} };
  },
  registerHook() {
    return { dispose() {} };
  },
  getProgrammingModel() {
    return undefined;
  },
};
