/**
 * Builds the Excel add-in into dist/: functions.js (the IWM custom functions), taskpane.js,
 * taskpane.html (loads both: one shared runtime), functions.json (generated from the
 * functions' JSDoc by CustomFunctionsMetadataPlugin, never hand-written, then finished by
 * scripts/functions-metadata.js), the icons, help/functions.html and both manifests
 * (manifest.xml and the unified manifest.json, from scripts/manifests.js).
 *
 * Two separate choices:
 * - How the code is built: --mode production (the default: minified, no source maps) or
 *   --mode development (readable code with source maps, for debugging).
 * - Which manifests: the dev flavour (the default: dev Id, localhost URLs, the committed
 *   manifest.xml) or, with --env flavour=production, the production flavour (production Id,
 *   IWM_ADDIN_URL).
 * So `npm run build:addin` = webpack --mode production: minified code with the dev manifests,
 * which `npm start` serves and `npm test` exercises; `npm run build:addin:dev` = --mode
 * development; `npm run build:addin:prod` = --mode production --env flavour=production.
 *
 * Environment at build time:
 * - IWM_ADDIN_URL: where the built files will be hosted (e.g. https://contoso.z13.web.core.windows.net/);
 *   every URL of both manifests starts with it. Default: the local dev host. A production-flavour
 *   build with localhost URLs fails, unless IWM_ALLOW_LOCAL_PROD=1.
 * - IWM_SOURCE_MAPS=1: write source maps (.map files) in a production-mode build too.
 *   A development build always has them.
 * - IWM_API_URL: the API root the add-in calls by default (e.g. https://<app>.azurewebsites.net/api/v1).
 *   Default: the add-in's own origin + /api/v1 (npm start serves both on one origin).
 */
const path = require('node:path');
const webpack = require('webpack');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const CopyWebpackPlugin = require('copy-webpack-plugin');
const CustomFunctionsMetadataPlugin = require('custom-functions-metadata-plugin');
const { DEV_URL, flavour } = require('./scripts/manifests');
const { ManifestsPlugin } = require('./scripts/manifests-plugin');

function addinUrl() {
  const raw = process.env.IWM_ADDIN_URL;
  if (!raw) return DEV_URL;
  if (!/^https:\/\/[^\s]+$/.test(raw)) throw new Error(`IWM_ADDIN_URL=${raw} must be an https URL`);
  return raw;
}

/** Source maps in a production-mode build: only when IWM_SOURCE_MAPS=1. */
function sourceMapsAsked() {
  const raw = (process.env.IWM_SOURCE_MAPS ?? '').trim();
  if (raw !== '' && raw !== '0' && raw !== '1') throw new Error(`IWM_SOURCE_MAPS=${raw} must be 1 or 0`);
  return raw === '1';
}

/** The manifest flavour: `--env flavour=production`, or the dev flavour. */
function productionFlavour(env) {
  const name = env?.flavour ?? 'development';
  if (name !== 'development' && name !== 'production')
    throw new Error(`--env flavour=${name} must be development or production`);
  return name === 'production';
}

module.exports = (env, argv) => {
  const development = argv.mode === 'development';
  return {
    mode: development ? 'development' : 'production',
    devtool: development || sourceMapsAsked() ? 'source-map' : false,
    entry: {
      functions: './src/functions/functions.ts',
      // dependOn: the taskpane reuses the functions bundle's modules, so the page holds ONE
      // settings store and ONE client (src/common/shared.ts), not a copy per bundle.
      taskpane: { import: './src/taskpane/taskpane.ts', dependOn: 'functions' },
    },
    output: { path: path.resolve(__dirname, 'dist'), filename: '[name].js', clean: true },
    resolve: { extensions: ['.ts', '.js'] },
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          // Type-checking is tsc's job in `npm test`; here only transpile (isolatedModules holds).
          use: { loader: 'ts-loader', options: { configFile: 'tsconfig.addin.json', transpileOnly: true } },
        },
      ],
    },
    performance: { hints: false },
    plugins: [
      new CustomFunctionsMetadataPlugin({ output: 'functions.json', input: './src/functions/functions.ts' }),
      new ManifestsPlugin({ flavour: flavour(productionFlavour(env), addinUrl()) }),
      new webpack.DefinePlugin({ IWM_API_URL: JSON.stringify(process.env.IWM_API_URL ?? '') }),
      new HtmlWebpackPlugin({
        filename: 'taskpane.html',
        template: './src/taskpane/taskpane.html',
        // The shared runtime: the taskpane page also runs the custom functions.
        chunks: ['functions', 'taskpane'],
        chunksSortMode: 'manual',
      }),
      new CopyWebpackPlugin({
        patterns: [
          { from: 'assets/*.png', to: 'assets/[name][ext]' },
          { from: 'src/taskpane/taskpane.css', to: 'taskpane.css' },
          { from: 'src/taskpane/panels/*.css', to: 'panels/[name][ext]' },
        ],
      }),
    ],
  };
};
