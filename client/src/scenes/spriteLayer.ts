/**
 * Keeps one display object per entity id in step with a state map: creates objects for
 * new ids, updates the rest, and hands the ones whose entity disappeared to `onRemove`.
 */
interface Destroyable {
  destroy(): void;
}

export class SpriteLayer<T, O extends Destroyable> {
  private readonly objects = new Map<string, O>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly create: (id: string, entity: T) => O,
    private readonly onRemove: (object: O) => void = (object) => object.destroy(),
  ) {}

  sync(entities: { forEach(cb: (entity: T, id: string) => void): void },
    update: (object: O, entity: T, id: string) => void): void {
    this.seen.clear();
    entities.forEach((entity, id) => {
      this.seen.add(id);
      let object = this.objects.get(id);
      if (!object) this.objects.set(id, (object = this.create(id, entity)));
      update(object, entity, id);
    });
    for (const [id, object] of this.objects) {
      if (this.seen.has(id)) continue;
      this.objects.delete(id);
      this.onRemove(object);
    }
  }
}
