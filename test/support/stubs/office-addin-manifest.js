// office-addin-mock needs only the OfficeApp enum from office-addin-manifest, whose full
// module pulls an ESM-only package that jest on Node 20 cannot require (PLATFORM.md).
'use strict';
module.exports = {
  OfficeApp: {
    Excel: 'excel',
    OneNote: 'onenote',
    Outlook: 'outlook',
    PowerPoint: 'powerpoint',
    Project: 'project',
    Word: 'word',
  },
};
