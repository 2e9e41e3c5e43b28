'use strict';
/**
 * webpack glue for scripts/manifests.js and scripts/functions-metadata.js: once
 * CustomFunctionsMetadataPlugin has put functions.json into the compilation, rewrite it
 * (helpUrl, allowCustomDataForDataTypeAny) and emit manifest.xml, manifest.json and
 * help/functions.html for the build's flavour. A production build whose manifests point at
 * localhost fails here, naming IWM_ADDIN_URL.
 */
const { renderJson, renderXml, productionProblem } = require('./manifests');
const { finishMetadata, metadataProblems, renderHelp } = require('./functions-metadata');

class ManifestsPlugin {
  /** @param {{ flavour: ReturnType<typeof import('./manifests').flavour>, metadata?: string, env?: NodeJS.ProcessEnv }} options */
  constructor(options) {
    this.options = { metadata: 'functions.json', env: process.env, ...options };
  }

  apply(compiler) {
    const { webpack } = compiler;
    const { RawSource } = webpack.sources;
    compiler.hooks.thisCompilation.tap('ManifestsPlugin', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'ManifestsPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
        () => {
          const f = this.options.flavour;
          const asset = compilation.getAsset(this.options.metadata);
          // No metadata: the generator already reported why (compilation.errors).
          if (!asset) return;
          const metadata = finishMetadata(JSON.parse(asset.source.source().toString()), f);
          for (const p of metadataProblems(metadata)) compilation.errors.push(new webpack.WebpackError(p));
          const xml = renderXml(f);
          const json = `${JSON.stringify(renderJson(f, metadata), null, 2)}\n`;
          compilation.updateAsset(this.options.metadata, new RawSource(`${JSON.stringify(metadata, null, 2)}\n`));
          compilation.emitAsset('manifest.xml', new RawSource(xml));
          compilation.emitAsset('manifest.json', new RawSource(json));
          compilation.emitAsset('help/functions.html', new RawSource(renderHelp(metadata)));
          if (f.production) {
            const problem = productionProblem({ 'manifest.xml': xml, 'manifest.json': json }, this.options.env);
            if (problem) compilation.errors.push(new webpack.WebpackError(problem));
          }
        },
      );
    });
  }
}

module.exports = { ManifestsPlugin };
