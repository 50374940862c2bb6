/**
 * `npm run train -- <model> [flags]` and `npm run eval -- <model> [flags]`.
 * Each model lives in its own folder with a `train.ts` and `eval.ts` exporting `main(argv)`.
 */
const MODELS = ['behavior', 'chat'] as const;
type ModelName = (typeof MODELS)[number];

async function run(): Promise<void> {
  const [command, model, ...rest] = process.argv.slice(2);
  if ((command !== 'train' && command !== 'eval') || !MODELS.includes(model as ModelName)) {
    console.error(`usage: npm run ${command ?? 'train'} -- <${MODELS.join('|')}> [flags]`);
    process.exit(2);
  }
  const mod = (await import(`./${model}/${command}.js`)) as { main(argv: string[]): Promise<void> };
  await mod.main(rest);
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
