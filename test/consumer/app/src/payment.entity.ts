import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The app's own table; the library's tables come from its migrations. */
@Entity('payment')
export class Payment {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', unique: true })
  reference: string;

  @Column({ type: 'integer', name: 'amount_minor' })
  amountMinor: number;
}
