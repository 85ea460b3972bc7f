import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Written by the batch handler: one row per paid reference, whatever the batch it came in. */
@Entity('sale')
export class Sale {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', unique: true })
  reference: string;
}
