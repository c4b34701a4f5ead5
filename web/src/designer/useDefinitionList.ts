import { useQuery } from '@tanstack/react-query';
import { designerListQuery } from './queries.ts';

/** The definitions the designer lists or can spawn. */
export function useDefinitionList(status?: 'published') {
  return useQuery(designerListQuery(status));
}
