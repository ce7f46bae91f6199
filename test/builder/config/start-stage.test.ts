import { describe, expect, it } from 'vitest';
import { defaultPathEnv, emptyImageConfig, startStageConfig, type ImageConfig } from '../../../src/builder/config/index.js';

describe('startStageConfig', () => {
  it('gives FROM scratch BuildKit\'s empty image config', () => {
    expect(startStageConfig(undefined)).toEqual({
      image: { os: 'linux', config: { Env: [`PATH=${defaultPathEnv('linux')}`], WorkingDir: '/' }, history: [] },
      triggers: [],
      stage: { cmdSet: false },
    });
    expect(emptyImageConfig('windows').config.Env).toEqual([`PATH=${defaultPathEnv('windows')}`]);
  });

  it('copies the base, takes its ONBUILD triggers out and adds PATH when missing', () => {
    const base: ImageConfig = { config: { Env: ['HOME=/root'], OnBuild: ['RUN x'], WorkingDir: 'rel' }, history: [{ created_by: 'x' }] };
    const { image, triggers } = startStageConfig(base);
    expect(triggers).toEqual(['RUN x']);
    expect(image.config).toEqual({ Env: ['HOME=/root', `PATH=${defaultPathEnv('linux')}`], WorkingDir: '/rel/rel' });
    expect(image.history).toEqual([{ created_by: 'x' }]);
    expect(base.config.OnBuild).toEqual(['RUN x']);
  });

  it('keeps an existing PATH, and leaves Windows images alone', () => {
    expect(startStageConfig({ config: { Env: ['PATH=/only'] }, history: [] }).image.config.Env).toEqual(['PATH=/only']);
    expect(startStageConfig({ os: 'windows', config: {}, history: [] }).image.config.Env).toBeUndefined();
  });
});
